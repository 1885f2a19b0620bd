"""How forms and widgets are rendered to HTML."""

from __future__ import annotations

from typing import Any

from django.forms.renderers import BaseRenderer, DjangoTemplates, Jinja2
from django.template import TemplateDoesNotExist


class FormRenderer(BaseRenderer):
    """Django's own form and widget templates through Jinja2, the rest as usual.

    Django ships each built-in form and widget template for both engines, with the
    same markup; Jinja2 renders them several times faster, which the case page,
    with its twenty fields, feels. A template only the Django engine has (the
    admin's widgets) still comes from there. Templates in an app's ``jinja2/``
    folder render here too (the case actions' ``desk/forms/fields.html`` and
    ``desk/widgets/select.html``).
    """

    def __init__(self) -> None:
        self.fast = Jinja2()
        self.usual = DjangoTemplates()

    def get_template(self, template_name: str) -> Any:
        try:
            return self.fast.get_template(template_name)
        except TemplateDoesNotExist:
            return self.usual.get_template(template_name)
