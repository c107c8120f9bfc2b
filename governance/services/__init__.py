"""Every write of the governance app. Import the module and call `services.<entity>_<action>`."""

from governance.services.frameworks import (
    FrameworkImportError,
    framework_import,
    framework_validate,
    governance_reference_data,
)

__all__ = ["FrameworkImportError", "framework_import", "framework_validate", "governance_reference_data"]
