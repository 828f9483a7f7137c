"""What every REST edge shares: input checking and the shape of ids in URLs. The
tenant-aware base (who the caller is, which roles a view allows) needs users and
roles, so it lives above, in ``accounts.viewsets``."""

from rest_framework.serializers import Serializer


def valid(serializer_class: type[Serializer], data, **options) -> dict:
    serializer = serializer_class(data=data, **options)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


# A UUID in a URL, with or without its dashes (as Django's UUIDField reads it).
UUID_PATTERN = "[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"
