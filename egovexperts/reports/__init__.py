"""Cross-app reports of the programme office: the dashboard."""
