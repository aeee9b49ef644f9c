"""The demo data of Jianyan: the Yangquan committee with its 2024 year (equal to the 2024 report) and its
2025 session in progress, built through the workflow functions. All texts are synthetic."""

from jianyan.demo.builder import (
    DEMO_COMMITTEES,
    DEMO_LABEL,
    DEMO_LOGINS,
    DEMO_PASSWORD,
    DemoBuilder,
    build_demo,
    reset_demo,
)

__all__ = ["DEMO_COMMITTEES", "DEMO_LABEL", "DEMO_LOGINS", "DEMO_PASSWORD", "DemoBuilder", "build_demo", "reset_demo"]
