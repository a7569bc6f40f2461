from django.urls import path

from .views import audit, auth, case_actions, cases, households, members, public, workbench

app_name = "web"
urlpatterns = [
    path("", workbench.workbench, name="workbench"),
    path("login/", auth.login_view, name="login"),
    path("logout/", auth.logout_view, name="logout"),
    path("households/", households.household_list, name="household_list"),
    path("households/new/", households.household_create, name="household_create"),
    path("households/<int:household_id>/", households.household_detail, name="household_detail"),
    path("households/<int:household_id>/edit/", households.household_edit, name="household_edit"),
    path("households/<int:household_id>/apply/", cases.case_new, name="case_new"),
    path("households/<int:household_id>/members/add/", members.member_add, name="member_add"),
    path("households/<int:household_id>/members/<int:person_id>/end/", members.member_end, name="member_end"),
    path("households/<int:household_id>/members/<int:person_id>/move/", members.member_move, name="member_move"),
    path("people/<int:person_id>/reveal/", members.person_reveal, name="person_reveal"),
    path("cases/", cases.case_list, name="case_list"),
    path("cases/<int:case_id>/", cases.case_detail, name="case_detail"),
    path("cases/<int:case_id>/actions/<slug:action>/", case_actions.case_action, name="case_action"),
    path("cases/<int:case_id>/files/", case_actions.case_upload, name="case_upload"),
    path("cases/<int:case_id>/files/<int:attachment_id>/", cases.case_file, name="case_file"),
    path("gongshi/", public.public_notices, name="public_notices"),
    path("audit/", audit.audit_list, name="audit_list"),
]
