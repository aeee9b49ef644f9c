"""The workflow events a user can choose channels for, grouped as the preferences page shows them.
A notification's `kind` belongs to the first group whose prefixes match it."""

EVENT_GROUPS: dict[str, tuple[str, tuple[str, ...]]] = {
    "submitted": ("收到新提案（提交）", ("proposal.submitted",)),
    "cosign": ("联名邀请", ("proposal.cosign_requested",)),
    "decided": ("审查结果（立案、不予立案、退回修改等）", (
        "proposal.registered", "proposal.not_registered", "proposal.returned", "proposal.merged",
        "proposal.converted")),
    "assigned": ("交办", ("proposal.assigned",)),
    "return": ("申请退回及处理结果", ("assignment.return_",)),
    "reply": ("答复提交、审核与送达", ("reply.",)),
    "evaluation": ("请求评价、重新办理与办结", ("proposal.rehandling", "proposal.unsatisfied_again", "proposal.closed",
                                       "evaluation.")),
    "extension": ("延期申请与审批", ("extension.",)),
    "deadline": ("临期提醒与超期催办", ("deadline.",)),
    "supervision": ("督办活动", ("supervision.",)),
}


def group_of(kind: str) -> str:
    for key, (_, prefixes) in EVENT_GROUPS.items():
        if kind.startswith(prefixes):
            return key
    return ""


def choices() -> list[tuple[str, str]]:
    return [(key, label) for key, (label, _) in EVENT_GROUPS.items()]
