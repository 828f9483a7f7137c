from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken
from rest_framework_simplejwt.settings import api_settings

from accounts.models import User


class TenantJWTAuthentication(JWTAuthentication):
    """SimpleJWT's bearer-token authentication, loading the user's company and branch
    in the same query: every cafe request resolves its tenant from them."""

    # SimpleJWT annotates its get_user with a type variable no argument binds.
    def get_user(self, validated_token) -> User:  # type: ignore[override]
        try:
            user_id = validated_token[api_settings.USER_ID_CLAIM]
        except KeyError:
            raise InvalidToken("Token contained no recognizable user identification") from None
        try:
            user = User.objects.select_related("company", "branch").get(pk=user_id)
        except User.DoesNotExist:
            raise AuthenticationFailed("User not found", code="user_not_found") from None
        if not user.is_active:
            raise AuthenticationFailed("User is inactive", code="user_inactive")
        return user
