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
from functools import cache
from pathlib import Path
from types import ModuleType

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


def _from_file(name: str) -> ModuleType | None:
    try:
        package = importlib.util.find_spec("scipy")  # finds the folder; runs nothing
        if package is None or not package.submodule_search_locations:
            return None
        folder = Path(next(iter(package.submodule_search_locations)))
        *parents, leaf = name.split(".")[1:]
        for suffix in importlib.machinery.EXTENSION_SUFFIXES:
            path = folder.joinpath(*parents, leaf + suffix)
            if path.is_file():
                loader = importlib.machinery.ExtensionFileLoader(name, str(path))
                spec = importlib.util.spec_from_file_location(name, path, loader=loader)
                if spec is None:
                    return None
                module = importlib.util.module_from_spec(spec)
                loader.exec_module(module)
                return module
    except (ImportError, OSError):
        return None
    return None


@cache
def sparsetools() -> ModuleType:
    """scipy.sparse._sparsetools: the C++ kernels behind every csr/csc/coo operation."""
    return load_extension("sparse._sparsetools")


@cache
def superlu() -> ModuleType:
    """scipy.sparse.linalg._dsolve._superlu: SuperLU, as `splu` calls it."""
    return load_extension("sparse.linalg._dsolve._superlu")


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
