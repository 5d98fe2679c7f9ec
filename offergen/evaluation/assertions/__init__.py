"""Built-in assertion types, one per module; importing this package registers each of them."""

import importlib
import pkgutil

# Every module here is an assertion type: importing it runs its @register decorator, so adding a
# type is adding a file.
for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
