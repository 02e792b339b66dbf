"""The public shell: base templates, navigation, legal pages, staff tools' frame."""
