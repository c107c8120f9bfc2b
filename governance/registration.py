"""What governance plugs into lifecycle's hooks (called from GovernanceConfig.ready)."""

from __future__ import annotations

from lifecycle import hooks


def register() -> None:
    from governance import services
    from governance.template_section import GovernanceSection

    hooks.registry.on_bootstrap(services.governance_reference_data)
    hooks.registry.add_template_section(GovernanceSection())
