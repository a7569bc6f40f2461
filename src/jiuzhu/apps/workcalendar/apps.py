from django.apps import AppConfig


class WorkCalendarConfig(AppConfig):
    name = "jiuzhu.apps.workcalendar"
    label = "workcalendar"
    verbose_name = "工作日历"
