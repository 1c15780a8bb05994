"""honestdid 0.1.1 under numpy 2, imported for its effect by the honestdid reference scripts: honestdid takes float()
of 1x1 arrays (v' Sigma v written as matrix products), which numpy 2 refuses, so every function of its core module
that calls float(...) is recompiled from its own source, in that module, with a float that accepts them (nothing else
about them changes)."""
import builtins
import inspect

import numpy as np
import honestdid.core


def _scalar(x=0.0):
    return builtins.float(np.asarray(x).reshape(-1)[0]) if np.ndim(x) > 0 else builtins.float(x)


honestdid.core._scalar = _scalar
for _name, _function in list(vars(honestdid.core).items()):
    if inspect.isfunction(_function) and _function.__module__ == "honestdid.core" and "float(" in inspect.getsource(_function):
        exec(inspect.getsource(_function).replace("float(", "_scalar("), vars(honestdid.core))
