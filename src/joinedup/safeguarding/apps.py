from django.apps import AppConfig


class SafeguardingConfig(AppConfig):
    name = "joinedup.safeguarding"
    verbose_name = "Safeguarding"

    def ready(self) -> None:
        from joinedup.record.followup import Touched, followup_register
        from joinedup.safeguarding import relationships

        relationships.register()

        def flags_follow(touched: Touched) -> None:
            from joinedup.safeguarding.services.flags import (
                unscheduled_care_attendances_check,
            )

            unscheduled_care_attendances_check(events=sorted(touched.attendances))

        # An attendance at unscheduled care of a child with a flag tells
        # children's social care, in the commit that wrote the attendance.
        followup_register("safeguarding.flags", flags_follow, on="attendances")
