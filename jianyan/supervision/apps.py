from django.apps import AppConfig

# Timeline labels of the audit actions this app writes on proposals (proposals.selectors shows them).
TIMELINE_LABELS = {
    "key.nominated": "推荐为重点提案",
    "key.nomination_declined": "重点提案推荐未选定",
    "proposal.transferred": "转至另一级政协办理",
    "proposal.transferred_in": "由另一级政协转来",
}


class SupervisionConfig(AppConfig):
    name = "jianyan.supervision"
    label = "supervision"
    verbose_name = "督办"

    def ready(self):
        from jianyan.proposals.selectors import ACTION_LABELS

        for action, label in TIMELINE_LABELS.items():
            ACTION_LABELS.setdefault(action, label)
