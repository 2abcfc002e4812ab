"""Partials of long lists, rendered by Jinja2.

A page that repeats an element hundreds of times (the rows of a session's attendance grid,
the rows of the directory and the hundred options of its agency filter) spent most of its
time in the Django template engine, which resolves and localizes every variable through
several layers. Those partials are Jinja2 templates (`*.jinja`, Django's built-in Jinja2
backend), compiled to Python code: several times faster for the same HTML. They receive plain
values and labels translated once per page, so they need no template tags; pages include
their output as a variable.
"""

from django.template import engines
from django.utils.safestring import SafeString


def render_partial(request, template_name: str, context: dict) -> SafeString:
    # Jinja2 escaped every value already: Django's Jinja2 backend turns autoescape on (hence nosec).
    html = engines["jinja2"].get_template(template_name).render(context, request)
    return SafeString(html)  # nosec B703
