"""What `OPTIONS` answers on the REST API."""

from rest_framework.metadata import SimpleMetadata


class Metadata(SimpleMetadata):
    """Name, description, renderers and parsers, without DRF's per-method form
    descriptions: those call ``get_object()``, which the tenant-scoped view sets
    (no ``queryset``) do not use, and `OPTIONS` on a detail URL answered 500.
    The request and answer shapes are in the OpenAPI document (/api/schema/)."""

    def determine_actions(self, request, view) -> dict:
        return {}
