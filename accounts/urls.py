from django.urls import path
from rest_framework.routers import SimpleRouter

from accounts import api

router = SimpleRouter()
router.register("branches", api.BranchViewSet, basename="branch")
router.register("employees", api.EmployeeViewSet, basename="employee")
router.register("display-tokens", api.DisplayTokenViewSet, basename="display-token")
router.register("devices", api.DeviceViewSet, basename="device")
router.register("pins", api.PinViewSet, basename="pin")

urlpatterns = [
    path("register/", api.RegisterView.as_view(), name="register"),
    path("login/", api.LoginView.as_view(), name="login"),
    path("token/refresh/", api.RefreshView.as_view(), name="token-refresh"),
    path("logout/", api.LogoutView.as_view(), name="logout"),
    path("me/", api.MeView.as_view(), name="me"),
    path("web/csrf/", api.WebCsrfView.as_view(), name="web-csrf"),
    path("web/login/", api.WebLoginView.as_view(), name="web-login"),
    path("web/refresh/", api.WebRefreshView.as_view(), name="web-refresh"),
    path("web/logout/", api.WebLogoutView.as_view(), name="web-logout"),
    path("me/password/", api.PasswordChangeView.as_view(), name="password-change"),
    path("me/pin/", api.PinSetView.as_view(), name="pin-set"),
    path("devices/me/", api.DeviceMeView.as_view(), name="device-me"),
    path("devices/me/staff/", api.DeviceStaffView.as_view(), name="device-staff"),
    path("devices/pin-login/", api.PinLoginView.as_view(), name="pin-login"),
    *router.urls,
]
