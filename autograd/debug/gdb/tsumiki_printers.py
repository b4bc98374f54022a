# gdb pretty-printers for tsumiki::Variable, Function, Tensor and Shape.
#
# Load: add to ~/.gdbinit   source /usr/local/share/tsumiki/gdb/tsumiki_printers.py
#   (from the source tree:  source /path/to/tsumiki/autograd/debug/gdb/tsumiki_printers.py)
# or, as a module:          python import sys; sys.path.insert(0, "DIR"); import tsumiki_printers
#                           python tsumiki_printers.register()       (register(objfile) for one objfile)
#
# Output:
#   Shape     (2, 3)
#   Tensor    Tensor float32 (2, 3) [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]       (first 6 values; "Tensor undefined")
#   Variable  Variable 'logits' float32 (2, 3) = tanh at model.cpp:12, requires_grad, grad: none
#             Variable 'x' float32 (2, 3) leaf at model.cpp:10, requires_grad, grad: float32 (2, 3)
#             with a child `data` (the Tensor) and `grad` when there is one; "Variable undefined"
#   Function  Function matmul [gen 2] at model.cpp:12 -> float32 (2, 3) (released)
#             with the inputs as children (input0, input1, ...)
#
# Variable reads tsumiki::VariableImpl (autograd/detail/variable_impl.hpp), which user code does not include:
# its debug info comes from a library built with -g (Debug/RelWithDebInfo) or from any -g translation unit of
# the program that includes that header. Without it, Variable prints its address and says so.
#
# The layouts read here (libstdc++; libc++ names are tried as a fallback):
#   Shape    { size_t dims_[8]; uint8_t rank_; }
#   Tensor   { detail::Buffer* buffer_; Shape shape_; numel_; offset_; Dtype dtype_; }   data at (char*)buffer_ + 64 + offset_
#   Variable { std::shared_ptr<VariableImpl> impl_; }
#   VariableImpl { Tensor data; Variable grad; std::shared_ptr<Function> creator; std::string name;
#                  std::source_location site; ...; bool requires_grad; bool retains_grad; ... }
#   VariableList { std::array<Variable, 3> in_place_; std::vector<Variable, ...> spill_; std::size_t size_; }
#                  (the Variables live in spill_ when it is non-empty, else in in_place_)
#   Function { const char* op_; std::source_location site_; VariableList inputs_; ...;
#              Shape output_shape_; Dtype output_dtype_; int generation_; bool released_; ... }

import os
import re

import gdb
import gdb.printing

MAX_VALUES = 6  # values shown by a Tensor
BUFFER_HEADER = 64  # sizeof(tsumiki::detail::Buffer): the data follows the header
MAX_RANK = 8
DTYPES = {0: ("float32", "float"), 1: ("float64", "double"), 2: ("int64", "long")}


# ---- helpers ----


def _has_field(val, name):
    try:
        return any(f.name == name for f in val.type.strip_typedefs().fields())
    except Exception:
        return False


def _field(val, *names):
    """The first of `names` that `val` has (several spellings across standard libraries)."""
    for name in names:
        try:
            return val[name]
        except (gdb.error, RuntimeError):
            continue
    raise gdb.error("no field %s in %s" % ("/".join(names), val.type))


def _smart_ptr(val):
    """The raw pointer held by a std::shared_ptr / std::weak_ptr (libstdc++ `_M_ptr`, libc++ `__ptr_`)."""
    return _field(val, "_M_ptr", "__ptr_")


def _is_null(ptr):
    try:
        return int(ptr) == 0
    except (gdb.error, RuntimeError):
        return True


def _complete(ptr, type_name):
    """*ptr, looked up by name when this compilation unit only saw a declaration of the pointee."""
    obj = ptr.dereference()
    try:
        if obj.type.strip_typedefs().fields():
            return obj
    except (gdb.error, TypeError):
        pass
    try:
        full = gdb.lookup_type(type_name)
        if full.fields():
            return ptr.cast(full.pointer()).dereference()
    except gdb.error:
        pass
    return None


def _c_string(ptr, default="?"):
    try:
        if _is_null(ptr):
            return default
        return ptr.string(errors="replace")
    except (gdb.error, gdb.MemoryError, RuntimeError):
        return default


def _std_string(val):
    try:  # libstdc++
        return val["_M_dataplus"]["_M_p"].string(length=int(val["_M_string_length"]), errors="replace")
    except (gdb.error, gdb.MemoryError, RuntimeError):
        pass
    try:  # any other library: its own printer, or gdb's raw form
        text = str(val)
        return text[1:-1] if len(text) >= 2 and text[0] == '"' and text[-1] == '"' else text
    except (gdb.error, RuntimeError):
        return "?"


def _site(loc):
    """A std::source_location as "file.cpp:42" (base name of the file)."""
    try:
        impl = _field(loc, "_M_impl", "__ptr_")  # libstdc++ (GCC 11+), libc++
        if _is_null(impl):
            return "?"
        impl = impl.dereference()
        path = _c_string(_field(impl, "_M_file_name", "__file_"))
        line = int(_field(impl, "_M_line", "__line_"))
        return "%s:%d" % (os.path.basename(path), line)
    except (gdb.error, gdb.MemoryError, RuntimeError):
        return "?"


def _dtype(val):
    """(name, C type) of a tsumiki::Dtype value; the name is "dtype(N)" for an unknown value."""
    try:
        code = int(val)
    except (gdb.error, RuntimeError):
        m = re.search(r"(Float32|Float64|Int64)$", str(val))
        code = {"Float32": 0, "Float64": 1, "Int64": 2}.get(m.group(1)) if m else -1
    return DTYPES.get(code, ("dtype(%d)" % code, None))


def _shape_dims(val):
    rank = min(int(val["rank_"]), MAX_RANK)
    dims = val["dims_"]
    return [int(dims[i]) for i in range(rank)]


def _shape_str(val):
    try:
        dims = _shape_dims(val)
    except (gdb.error, gdb.MemoryError, RuntimeError):
        return "(?)"
    if len(dims) == 1:
        return "(%d,)" % dims[0]
    return "(" + ", ".join(str(d) for d in dims) + ")"


def _numel(val):
    n = 1
    for d in _shape_dims(val):
        n *= d
    return n


def _format_number(x, ctype):
    if ctype == "long":
        return str(int(x))
    f = float(x)
    return "%.*g" % (7 if ctype == "float" else 10, f)


def _tensor_defined(val):
    return not _is_null(val["buffer_"])


def _tensor_header(val):
    """"float32 (2, 3)" for a defined Tensor, "undefined" otherwise."""
    if not _tensor_defined(val):
        return "undefined"
    return "%s %s" % (_dtype(val["dtype_"])[0], _shape_str(val["shape_"]))


def _tensor_values(val):
    """"[0.1, 0.2, ...]": the first MAX_VALUES values read from the buffer."""
    ctype = _dtype(val["dtype_"])[1]
    if ctype is None:
        return "[?]"
    try:
        n = _numel(val["shape_"])
        char_p = gdb.lookup_type("char").pointer()
        offset = int(val["offset_"]) if _has_field(val, "offset_") else 0  # views start inside the buffer
        data = (val["buffer_"].cast(char_p) + BUFFER_HEADER + offset).cast(gdb.lookup_type(ctype).pointer())
        shown = [_format_number(data[i], ctype) for i in range(min(n, MAX_VALUES))]
    except (gdb.error, gdb.MemoryError, RuntimeError):
        return "[<unreadable>]"
    if n > MAX_VALUES:
        shown.append("...")
    return "[" + ", ".join(shown) + "]"


# ---- printers ----


class ShapePrinter:
    def __init__(self, val):
        self.val = val

    def to_string(self):
        return _shape_str(self.val)


class TensorPrinter:
    def __init__(self, val):
        self.val = val

    def to_string(self):
        try:
            if not _tensor_defined(self.val):
                return "Tensor undefined"
            return "Tensor %s %s" % (_tensor_header(self.val), _tensor_values(self.val))
        except (gdb.error, gdb.MemoryError, RuntimeError) as e:
            return "Tensor <error: %s>" % e


def _impl_of(variable):
    """(VariableImpl value or None, pointer) of a tsumiki::Variable."""
    ptr = _smart_ptr(variable["impl_"])
    if _is_null(ptr):
        return None, ptr
    return _complete(ptr, "tsumiki::VariableImpl"), ptr


def _variable_summary(impl):
    """"float32 (2, 3)": the data's dtype and shape (for the grad)."""
    return _tensor_header(impl["data"])


def _function_of(impl):
    ptr = _smart_ptr(impl["creator"])
    if _is_null(ptr):
        return None
    return _complete(ptr, "tsumiki::Function")


def _variable_string(impl):
    parts = ["Variable"]
    name = _std_string(impl["name"])
    if name:
        parts.append("'%s'" % name)
    parts.append(_tensor_header(impl["data"]) if _tensor_defined(impl["data"]) else "<no data>")
    head = " ".join(parts)
    try:
        creator_ptr = _smart_ptr(impl["creator"])
    except gdb.error:
        creator_ptr = None
    if creator_ptr is None or _is_null(creator_ptr):
        origin = "leaf"
        try:
            origin += " at " + _site(impl["site"])
        except gdb.error:
            pass
        head += " " + origin
    else:
        fn = _complete(creator_ptr, "tsumiki::Function")
        if fn is None:
            head += " = <function>"
        else:
            head += " = %s at %s" % (_c_string(fn["op_"]), _site(fn["site_"]))
    flags = []
    if bool(impl["requires_grad"]):
        flags.append("requires_grad")
    try:
        if bool(impl["retains_grad"]):
            flags.append("retains_grad")
    except gdb.error:
        pass
    grad_impl, grad_ptr = _impl_of(impl["grad"])
    if _is_null(grad_ptr):
        flags.append("grad: none")
    elif grad_impl is None:
        flags.append("grad: defined")
    else:
        flags.append("grad: " + _variable_summary(grad_impl))
    return head + ", " + ", ".join(flags)


class VariablePrinter:
    """tsumiki::Variable, a handle: prints the VariableImpl it points to."""

    def __init__(self, val):
        self.val = val

    def _impl(self):
        return _impl_of(self.val)

    def to_string(self):
        try:
            impl, ptr = self._impl()
            if _is_null(ptr):
                return "Variable undefined"
            if impl is None:
                addr = hex(int(ptr))
                return "Variable @%s (no debug info for tsumiki::VariableImpl)" % addr
            return _variable_string(impl)
        except (gdb.error, gdb.MemoryError, RuntimeError) as e:
            return "Variable <error: %s>" % e

    def children(self):
        try:
            impl, _ = self._impl()
        except (gdb.error, gdb.MemoryError, RuntimeError):
            return
        if impl is None:
            return
        yield "data", impl["data"]
        if not _is_null(_smart_ptr(impl["grad"]["impl_"])):
            yield "grad", impl["grad"]


class VariableImplPrinter(VariablePrinter):
    """tsumiki::VariableImpl (e.g. `print *v.impl_._M_ptr`): the same form as its Variable."""

    def _impl(self):
        return self.val, self.val.address


def _variable_list(lst):
    """(pointer to the first Variable, count) of a tsumiki::VariableList."""
    count = int(lst["size_"])
    spill = lst["spill_"]["_M_impl"]
    if int(spill["_M_finish"] - spill["_M_start"]) > 0:
        return spill["_M_start"], count
    return lst["in_place_"]["_M_elems"][0].address, count


class FunctionPrinter:
    def __init__(self, val):
        self.val = val

    def to_string(self):
        try:
            fn = self.val
            text = "Function %s [gen %d] at %s -> %s %s" % (
                _c_string(fn["op_"]),
                int(fn["generation_"]),
                _site(fn["site_"]),
                _dtype(fn["output_dtype_"])[0],
                _shape_str(fn["output_shape_"]),
            )
            if bool(fn["released_"]):
                text += " (released)"
            return text
        except (gdb.error, gdb.MemoryError, RuntimeError) as e:
            return "Function <error: %s>" % e

    def children(self):
        try:
            start, count = _variable_list(self.val["inputs_"])
        except (gdb.error, RuntimeError):
            return
        for i in range(min(count, 64)):
            yield "input%d" % i, (start + i).dereference()


def build_printer():
    pp = gdb.printing.RegexpCollectionPrettyPrinter("tsumiki")
    pp.add_printer("Shape", r"^tsumiki::Shape$", ShapePrinter)
    pp.add_printer("Tensor", r"^tsumiki::Tensor$", TensorPrinter)
    pp.add_printer("Variable", r"^tsumiki::Variable$", VariablePrinter)
    pp.add_printer("VariableImpl", r"^tsumiki::VariableImpl$", VariableImplPrinter)
    pp.add_printer("Function", r"^tsumiki::Function$", FunctionPrinter)
    return pp


def register(objfile=None):
    """Registers the printers for `objfile` (a gdb.Objfile or gdb.Progspace), or globally when None."""
    gdb.printing.register_pretty_printer(objfile, build_printer(), replace=True)


if __name__ == "__main__":
    # `source tsumiki_printers.py`: globally; as an auto-load script (<lib>-gdb.py): for that objfile.
    register(gdb.current_objfile())
