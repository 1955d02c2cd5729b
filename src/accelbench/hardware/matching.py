"""Which detected platform, if any, meets a task's HardwareRequirements."""

from __future__ import annotations

from typing import TYPE_CHECKING

from accelbench.hardware.info import HardwareInfo

if TYPE_CHECKING:
    from accelbench.tasks.requirements import HardwareRequirements


def eligible(
    requirements: HardwareRequirements, detected: dict[str, HardwareInfo] | None = None
) -> tuple[bool, str]:
    """(True, platform name) when some detected platform meets `requirements`, else (False, why not).

    `detected` defaults to detect_all(). Platforms are tried in the order the requirement lists
    them, so the first one that fits is the one named.
    """
    if detected is None:
        from accelbench.hardware.detection import detect_all

        detected = detect_all()
    wanted = requirements.hardware_types or list(detected)
    reasons = []
    for name in wanted:
        info = detected.get(name)
        if info is None:
            reasons.append(f"{name}: not detected")
            continue
        ok, reason = requirements.is_met_by(info)
        if ok:
            return True, name
        reasons.append(f"{name}: {reason}" if not reason.startswith(name) else reason)
    return False, "; ".join(reasons) or "no hardware type requested"
