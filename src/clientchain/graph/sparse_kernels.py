"""scipy's compiled sparse kernels, without importing scipy.sparse.

`import scipy.sparse` costs about 0.17 s (most of it scipy's array-API layer), more
than the whole analysis of a 10,000-role org. The kernels we need are plain C
extensions that import nothing but numpy, so we load them from their files
directly: the same machine code runs, and the figures are the same to the last bit
as through scipy's classes. Should scipy ever move them, the ordinary import is
the fallback: slower to start, never wrong.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from clientchain.model.org import FloatArray, IntArray


def load_extension(module: str) -> ModuleType:
    """scipy's compiled `module` (e.g. "sparse._sparsetools"), loaded from its file
    when that file can be found, else imported the ordinary way."""
    name = f"scipy.{module}"
    if name in sys.modules:
        return sys.modules[name]
    direct = _from_file(name)
    return direct if direct is not None else importlib.import_module(name)


def _from_file(name: str, register: bool = False) -> ModuleType | None:
    """The extension `name` (scipy.…) run from its file, or None when there is none.
    `register` puts it in sys.modules first, as an import would (a Cython module can
    be initialised once per process, so it must be the one scipy later finds)."""
    folder = _scipy_folder()
    if folder is None:
        return None
    try:
        *parents, leaf = name.split(".")[1:]
        for suffix in importlib.machinery.EXTENSION_SUFFIXES:
            path = folder.joinpath(*parents, leaf + suffix)
            if path.is_file():
                loader = importlib.machinery.ExtensionFileLoader(name, str(path))
                spec = importlib.util.spec_from_file_location(name, path, loader=loader)
                if spec is None:
                    return None
                module = importlib.util.module_from_spec(spec)
                if register:
                    sys.modules[name] = module
                try:
                    loader.exec_module(module)
                except BaseException:
                    if sys.modules.get(name) is module:
                        del sys.modules[name]
                    raise
                return module
    except (ImportError, OSError):
        return None
    return None


@cache
def _scipy_folder() -> Path | None:
    """Where scipy is installed, found without running its __init__."""
    try:
        package = importlib.util.find_spec("scipy")
    except (ImportError, ValueError):
        return None
    if package is None or not package.submodule_search_locations:
        return None
    return Path(next(iter(package.submodule_search_locations)))


@cache
def sparsetools() -> ModuleType:
    """scipy.sparse._sparsetools: the C++ kernels behind every csr/csc/coo operation."""
    return load_extension("sparse._sparsetools")


@cache
def flapack() -> ModuleType:
    """LAPACK as scipy wraps it (dtbtrs: triangular band systems)."""
    return load_extension("linalg._flapack")


@cache
def superlu() -> ModuleType:
    """scipy.sparse.linalg._dsolve._superlu: SuperLU, as `splu` calls it."""
    return load_extension("sparse.linalg._dsolve._superlu")


_TRAVERSAL = "scipy.sparse.csgraph._traversal"
# What _traversal's initialisation imports, for functions of it that we never call;
# each name forwards to the real function, so scipy's own use of the module works.
_TRAVERSAL_IMPORTS = {
    "scipy.sparse.csgraph._validation": "validate_graph",
    "scipy.sparse.csgraph._tools": "reconstruct_path",
}


@cache
def strong_labeller() -> Callable[[IntArray, IntArray, IntArray], int] | None:
    """scipy's compiled Pearce labelling, `_connected_components_directed(indices,
    indptr, labels)`: the loop `connected_components(..., connection="strong")` runs
    on the canonical CSR (int32 or int64 indices, int32 labels filled in, the count
    returned). None when this scipy does not have it where we look."""
    return _traversal_function("_connected_components_directed")


@cache
def breadth_first() -> Callable[[int, IntArray, IntArray, IntArray, IntArray], int] | None:
    """scipy's compiled breadth-first search, `_breadth_first_directed(start, indices,
    indptr, order, predecessor)` (int32 arrays): the nodes reached from `start` written
    to `order` (start first), each one's predecessor set (those still at NULL_IDX are the
    unreached: the caller fills it so), and their count returned. None when this scipy
    does not have it where we look."""
    return _traversal_function("_breadth_first_directed")


def _traversal_function(name: str) -> Callable[..., Any] | None:
    """A compiled function of scipy's csgraph traversal module, or None."""
    try:
        module = _traversal()
        function = getattr(module, name, None) if module else None
    except ImportError:
        return None
    return function if callable(function) else None


NULL_IDX = -9999  # scipy's mark of a node not reached yet


def _traversal() -> ModuleType | None:
    if _TRAVERSAL in sys.modules:
        return sys.modules[_TRAVERSAL]
    if _scipy_folder() is None:
        return None
    if "scipy._cyutility" not in sys.modules:  # Cython's shared helpers, where scipy has them
        _from_file("scipy._cyutility", register=True)
    with _stand_ins():
        return _from_file(_TRAVERSAL, register=True)


@contextmanager
def _stand_ins() -> Iterator[None]:
    """Modules that _traversal's initialisation imports, standing in for the real
    ones (which import all of scipy.sparse) while it runs, then taken away."""
    added: dict[str, ModuleType] = {}
    if "scipy" not in sys.modules:  # a dotted import starts at the package (14 ms)
        added["scipy"] = ModuleType("scipy")
    for name, function in _TRAVERSAL_IMPORTS.items():
        if name not in sys.modules:
            stand_in = ModuleType(name)
            setattr(stand_in, function, _forward(name, function))
            added[name] = stand_in
    sys.modules.update(added)
    try:
        yield
    finally:
        for name, stand_in in added.items():
            if sys.modules.get(name) is stand_in:
                del sys.modules[name]


def _forward(module: str, function: str) -> Callable[..., Any]:
    def forward(*args: Any, **kwargs: Any) -> Any:
        return getattr(importlib.import_module(module), function)(*args, **kwargs)

    forward.__name__ = function
    return forward


def csr_matvecs(
    indptr: IntArray,
    indices: IntArray,
    data: FloatArray,
    columns: int,
    x: FloatArray,
    out: FloatArray | None = None,
) -> FloatArray:
    """A @ x for the CSR matrix (data, indices, indptr) with `columns` columns, as
    scipy's csr_matrix @ x computes it: each row summed left to right from zero; or,
    given `out` (C-contiguous float64), each row's terms added in turn onto out's row.
    `indptr` may be a slice of a larger matrix's (its offsets stay absolute)."""
    rows = indptr.size - 1
    tools = sparsetools()
    if x.ndim == 1:
        result = np.zeros(rows, dtype=np.float64) if out is None else out
        tools.csr_matvec(rows, columns, indptr, indices, data, x, result)
        return result
    vectors = x.shape[1]
    result = np.zeros((rows, vectors), dtype=np.float64) if out is None else out
    flat = np.ascontiguousarray(x).ravel()
    tools.csr_matvecs(rows, columns, vectors, indptr, indices, data, flat, result.ravel())
    return result
