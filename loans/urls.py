from django.urls import path

from . import views

app_name = "loans"
urlpatterns = [
    path("", views.application_list, name="list"),
    path("export.xlsx", views.application_export, name="export"),
    path("queue/", views.review_queue, name="queue"),
    path("clients/<int:pk>/plan/", views.plan_create, name="plan_create"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/apply/", views.application_create, name="apply"),
    path("plans/cost-row/", views.cost_item_row, name="cost_row"),
    path("plans/total/", views.plan_total, name="plan_total"),
    path("<int:pk>/", views.application_detail, name="detail"),
    path("<int:pk>/edit/", views.application_edit, name="edit"),
    path("<int:pk>/guarantors/", views.guarantor_add, name="guarantor_add"),
    path("guarantors/<int:pk>/remove/", views.guarantor_remove, name="guarantor_remove"),
    path("<int:pk>/submit/", views.application_submit, name="submit"),
    path("<int:pk>/recommend/", views.application_recommend, name="recommend"),
    path("<int:pk>/approve/", views.application_approve, name="approve"),
    path("<int:pk>/reject/", views.application_reject, name="reject"),
    path("<int:pk>/disburse/", views.application_disburse, name="disburse"),
    path("<int:pk>/withdraw/", views.application_withdraw, name="withdraw"),
    path("<int:pk>/repay/", views.repayment_create, name="repay"),
    path("repayments/<int:pk>/reverse/", views.repayment_reverse, name="reverse"),
    path("<int:pk>/pause/", views.arrears_pause, name="pause"),
    path("<int:pk>/business/", views.placement_link, name="link_placement"),
    path("<int:pk>/business/unlink/", views.placement_unlink, name="unlink_placement"),
    path("<int:pk>/agreement/", views.agreement, name="agreement"),
    path("<int:pk>/schedule.xlsx", views.schedule_export, name="schedule_export"),
    path("arrears/", views.arrears_report, name="arrears"),
    path("arrears/<int:pk>/close/", views.follow_up_close, name="follow_up_close"),
    path("credit-lines/", views.credit_line_list, name="credit_lines"),
    path("credit-lines/<int:pk>/", views.credit_line_detail, name="credit_line"),
]
