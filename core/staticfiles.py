"""Static files with hashed names: ``app.3f2a9c….js`` after ``collectstatic`` (which
``make run`` and the image run), so WhiteNoise serves them with a far-future,
immutable ``Cache-Control`` and a new release is a new name. Before
``collectstatic`` (the test suite, a fresh checkout) the plain names are used and
WhiteNoise serves them from the apps (``WHITENOISE_USE_FINDERS``)."""

from whitenoise.storage import CompressedManifestStaticFilesStorage  # type: ignore[import-untyped]


class HashedStaticStorage(CompressedManifestStaticFilesStorage):
    manifest_strict = False

    def stored_name(self, name: str) -> str:
        try:
            return super().stored_name(name)
        except ValueError:  # not collected yet: the plain name
            return name
