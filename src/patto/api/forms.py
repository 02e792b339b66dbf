"""The office's form to issue an API token."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from patto.core.forms import check_fields

from .models import Scope


class TokenForm(forms.Form):
    owner = forms.ModelChoiceField(
        label=_("Owner"), queryset=None,
        help_text=_("The token acts with this person's roles, never more."))
    name = forms.CharField(label=_("What it is for"), max_length=200,
                           help_text=_("E.g. the system that uses it."))
    scopes = forms.MultipleChoiceField(label=_("Scopes"), choices=Scope.choices,
                                       widget=forms.CheckboxSelectMultiple)
    project = forms.CharField(
        label=_("Only for the project"), required=False, max_length=150,
        help_text=_("Optional: the pact's code and the project's code, as in "
                    "bologna-2021/az-1."))
    days = forms.IntegerField(label=_("Days of validity"), min_value=1, max_value=3650,
                              initial=365)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = get_user_model().objects.filter(
            is_active=True).order_by("username")
        check_fields(self)

    def clean_project(self):
        from patto.projects.models import Project

        value = self.cleaned_data["project"].strip()
        if not value:
            return None
        pact, _sep, code = value.partition("/")
        project = Project.objects.select_related("pact").filter(pact__code=pact,
                                                                 code=code).first()
        if project is None:
            raise forms.ValidationError(_("No such project: write the pact's code, a slash "
                                          "and the project's code."))
        return project
