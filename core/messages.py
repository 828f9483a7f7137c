"""Messages of the libraries the API passes on to clients that their own catalogues
leave untranslated in one of ``LANGUAGES``: SimpleJWT ships ``ru_RU`` only (Django
looks for ``ru``), and DRF's Russian lacks a few. Listed here, ``make messages``
puts them in the project's catalogue (``locale/``), which Django reads before the
libraries' own. Nothing imports this module; each text must match the library's
exactly (a test checks they are in its source)."""

from django.utils.translation import gettext_noop

SIMPLEJWT = [
    gettext_noop("Authorization header must contain two space-delimited values"),
    gettext_noop("Given token not valid for any token type"),
    gettext_noop("Token is invalid or expired"),
    gettext_noop("Token is expired"),
    gettext_noop("Token has no id"),
    gettext_noop("Token has no type"),
    gettext_noop("Token has wrong type"),
    gettext_noop("Token has no '{}' claim"),
    gettext_noop("Token '{}' claim has expired"),
]

DRF = [
    gettext_noop("Invalid input."),
    gettext_noop("Must be a valid UUID."),
    gettext_noop("Must be a valid boolean."),
    gettext_noop("Not a valid string."),
    gettext_noop("A valid biginteger is required."),
    gettext_noop("Surrogate characters are not allowed: U+{code_point:X}."),
    gettext_noop("Ensure this field has at least {min_length} elements."),
    gettext_noop("Ensure this field has no more than {max_length} elements."),
    gettext_noop("This dictionary may not be empty."),
    # The second sentence of a throttled answer (429); DRF translates both forms alone.
    gettext_noop("Expected available in {wait} second."),
    gettext_noop("Expected available in {wait} seconds."),
]
