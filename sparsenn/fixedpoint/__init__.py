"""Fixed-point model of the FPGA datapath: formats, arithmetic, LUTs, simulator, export.

The datapath (``docs/fixedpoint.md``) computes in one
signed format, by default ``QFormat(3, 8)`` = ``ap_fixed<12,4>``: products rounded
half up and saturated per edge, an exact wide sum plus bias saturated once, a
full-table sigmoid, argmax at the output. :meth:`FixedPointNetwork.to_verilog`
and :func:`write_verilog` generate a SystemVerilog inference core of a network
with a self-checking testbench; ``rtl_quirks`` reproduces the released RTL's
deviations from the intended arithmetic.
"""

from ._arith import add_sat, mul_round, neg_sat, saturate, shift_round
from ._convert import SUPPORTED_ACTIVATIONS, to_fixed_point
from ._export import ExportError, save
from ._format import INPUT_BITS, QFormat, quantize_inputs
from ._layout import JunctionLayout
from ._load import load
from ._lut import sigmoid_derivative_lut, sigmoid_lut
from ._network import FixedPointNetwork
from ._quirks import RELEASED_PIPELINED_RTL, RTL_QUIRKS
from ._training import train_on_device
from ._verilog import write_verilog

__all__ = [
    "INPUT_BITS",
    "RELEASED_PIPELINED_RTL",
    "RTL_QUIRKS",
    "ExportError",
    "SUPPORTED_ACTIVATIONS",
    "FixedPointNetwork",
    "JunctionLayout",
    "QFormat",
    "add_sat",
    "mul_round",
    "neg_sat",
    "quantize_inputs",
    "load",
    "saturate",
    "save",
    "shift_round",
    "sigmoid_derivative_lut",
    "sigmoid_lut",
    "to_fixed_point",
    "train_on_device",
    "write_verilog",
]
