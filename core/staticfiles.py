"""Static files with hashed names: ``app.3f2a9c….js`` after ``collectstatic`` (which
``make run`` and the image run), so WhiteNoise serves them with a far-future,
immutable ``Cache-Control`` and a new release is a new name. Before
``collectstatic`` (the test suite, a fresh checkout) the plain names are used and
WhiteNoise serves them from the apps (``WHITENOISE_USE_FINDERS``)."""

from whitenoise.storage import CompressedManifestStaticFilesStorage  # type: ignore[import-untyped]


class HashedStaticStorage(CompressedManifestStaticFilesStorage):
    manifest_strict = False
    # app.js imports its sibling modules (``import … from "./device.js"``): collectstatic
    # rewrites those imports to the hashed names, so a release never pairs a new
    # app.js with a cached old module.
    support_js_module_import_aggregation = True

    def stored_name(self, name: str) -> str:
        try:
            return super().stored_name(name)
        except ValueError:  # not collected yet: the plain name
            return name
