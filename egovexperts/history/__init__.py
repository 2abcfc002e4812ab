"""Who changed what and when, on each object's page, and "restore this version" through the
service that owns the object."""
