"""Forms of the back office's shell: inviting a person and giving them a role."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from patto.core.forms import check_fields


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"), max_length=150)
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        check_fields(self)


class RoleForm(forms.Form):
    """One kind of role, on one of the records the page offers (``choices``)."""

    target = forms.ChoiceField(label=_("On"))

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [("", "—")] + [(str(o.pk), self.describe(o))
                                                       for o in choices]

    @staticmethod
    def describe(obj) -> str:
        pact = getattr(obj, "pact", None)
        return f"{obj} ({pact.code})" if pact is not None else str(obj)
