"""Top module and testbench text of the generated core, from the manifest."""

__all__ = ["top_text", "testbench_text"]

_N_SLOTS = 3


def _bits(n):
    return max(int(n - 1).bit_length(), 1)


def _sizes(plan, manifest):
    fmt = manifest["fmt"]
    return {
        "W": fmt["width"],
        "F": fmt["fraction"],
        "IB": manifest["input_bits"],
        "Z0": plan[0]["z"],
        "D0": plan[0]["depth"],
        "N_IN": plan[0]["n_in"],
        "N_OUT": plan[-1]["n_out"],
        "PB": _bits(plan[-1]["n_out"]),
    }


def _pixel_to_code(s):
    """Expression of input code j from the pixel on lane j (spec section 4.1)."""
    pix = "s_data[j*IB+:IB]"
    if s["F"] > s["IB"]:
        return f"W'({{{pix}, {s['F'] - s['IB']}'(0)}})"
    if s["F"] == s["IB"]:
        return f"W'({pix})"
    return "W'(s_data[j*IB+IB-1-:F])"  # low bits truncated, as in the RTL


def _junction_instance(top, i, p):
    params = {
        "W": "W",
        "F": "F",
        "Z": p["z"],
        "DEPTH": p["depth"],
        "C": p["cycles"],
        "L": p["lanes"],
        "G": p["groups"],
        "K": p["clocks_per_neuron"],
        "GW": p["write_lanes"],
        "NS": _N_SLOTS,
        "IW": p["index_bits"],
        "IDX": i,
        "MEM_DIR": "MEM_DIR",
    }
    plist = ",\n".join(f"      .{k}({v})" for k, v in params.items())
    n = i + 1
    return f"""
  // junction {i}: {p["n_in"]} -> {p["n_out"]}, z={p["z"]}, d_in={p["d_in"]}, \
{p["cycles"]} clocks per sample
  logic free{n}, claim{n}, we{n}, last{n};
  logic [{p["groups"]}*W-1:0] data{n};
  {top}_junction #(
{plist}
  ) u_junction{i} (
      .clk(clk),
      .rst_n(rst_n),
      .in_claim(claim{i}),
      .in_we(we{i}),
      .in_data(data{i}),
      .in_last(last{i}),
      .in_can_claim(free{i}),
      .out_can_claim(free{n}),
      .out_claim(claim{n}),
      .out_valid(we{n}),
      .out_data(data{n}),
      .out_last(last{n})
  );
"""


def top_text(top, plan, manifest):
    """Return the top module: input stream, junctions, output buffer."""
    s = _sizes(plan, manifest)
    n = len(plan)
    unused = s["F"] < s["IB"]
    lint_off = "  /* verilator lint_off UNUSEDSIGNAL */\n" if unused else ""
    lint_on = "  /* verilator lint_on UNUSEDSIGNAL */\n" if unused else ""
    shape = "-".join(str(v) for v in manifest["layer_sizes"])
    zs = ", ".join(str(p["z"]) for p in plan)
    cs = ", ".join(str(p["cycles"]) for p in plan)
    body = "".join(_junction_instance(top, i, p) for i, p in enumerate(plan))
    fmt = manifest["fmt"]["ap_fixed"]
    return f"""// Inference core of a {shape} sparsenn network, {fmt}
// (parameters from manifest.json: z = {zs}; clocks per junction cycle C = {cs}).
// Input stream: {s["D0"]} beats per sample; beat r carries on lane j (input_bits
// wide) the pixel of input r*{s["Z0"]} + j. Output stream: one beat per sample
// with the winning output neuron (m_pred) and every output code, code k in
// m_codes[k*W +: W]. valid/ready handshakes on both; synchronous active-low reset.
module {top} #(
    parameter MEM_DIR = "."
) (
    input  logic clk,
    input  logic rst_n,
    input  logic s_valid,
    output logic s_ready,
{lint_off}    input  logic [{s["Z0"] * s["IB"] - 1}:0] s_data,
{lint_on}    output logic m_valid,
    input  logic m_ready,
    output logic [{s["PB"] - 1}:0] m_pred,
    output logic [{s["N_OUT"] * s["W"] - 1}:0] m_codes
);
  localparam int W = {s["W"]};
  localparam int F = {s["F"]};
  localparam int IB = {s["IB"]};
  localparam int Z0 = {s["Z0"]};
  localparam int D0 = {s["D0"]};
  localparam int BW = {_bits(s["D0"])};

  // input stream -> activation memory of junction 0
  logic [BW-1:0] beat;
  logic free0, claim0, we0, last0;
  logic [Z0*W-1:0] data0;
  assign s_ready = (beat != '0) || free0;
  assign we0 = s_valid && s_ready;
  assign claim0 = we0 && (beat == '0);
  assign last0 = beat == BW'(D0 - 1);
  always_ff @(posedge clk) begin
    if (!rst_n || (we0 && last0)) beat <= '0;
    else if (we0) beat <= beat + BW'(1);
  end
  for (genvar j = 0; j < Z0; j++) begin : g_pixel
    assign data0[j*W+:W] = {_pixel_to_code(s)};
  end
{body}
  {top}_outbuf #(
      .W(W),
      .N_OUT({s["N_OUT"]}),
      .G({plan[-1]["groups"]}),
      .NS({_N_SLOTS}),
      .PB({s["PB"]})
  ) u_outbuf (
      .clk(clk),
      .rst_n(rst_n),
      .in_claim(claim{n}),
      .in_we(we{n}),
      .in_data(data{n}),
      .in_last(last{n}),
      .in_can_claim(free{n}),
      .m_valid(m_valid),
      .m_ready(m_ready),
      .m_pred(m_pred),
      .m_codes(m_codes)
  );
endmodule
"""


#: Files the testbench refuses to run without (every export with vectors has them).
_REQUIRED = (
    "sigmoid_lut.mem",
    "vectors/input_pixels.mem",
    "vectors/output_codes.mem",
    "vectors/predictions.mem",
)


def _file_checks():
    """SystemVerilog lines that stop the simulation if a required file is missing."""
    hint = "run from the export directory or set MEM_DIR"
    lines = []
    for name in _REQUIRED:
        lines += [
            f'    fd = $fopen($sformatf("%s/{name}", MEM_DIR), "r");',
            f'    if (fd == 0) $fatal(1, "SPARSENN_TB MISSING %s/{name}: {hint}", '
            "MEM_DIR);",
            "    $fclose(fd);",
        ]
    return "\n".join(lines)


def testbench_text(top, plan, manifest):
    """Return the self-checking testbench that streams the test vectors."""
    s = _sizes(plan, manifest)
    n = int(manifest["vectors"]["n_samples"])
    limit = 64 * (n + 8) * (sum(p["cycles"] + 8 for p in plan) + s["D0"]) + 1000
    return f"""// Streams vectors/input_pixels.mem through {top} and compares every
// output code and prediction with vectors/output_codes.mem and vectors/predictions.mem.
// Run from the export directory. Plusargs: +backpressure (random gaps on both
// streams), +out=FILE (outputs, one line per sample: prediction, then the codes;
// default rtl_outputs.txt). Prints one line starting with SPARSENN_TB.
module {top}_tb #(
    parameter MEM_DIR = "."
);
  localparam int N = {n};
  localparam int N_IN = {s["N_IN"]};
  localparam int N_OUT = {s["N_OUT"]};
  localparam int Z0 = {s["Z0"]};
  localparam int D0 = {s["D0"]};
  localparam int IB = {s["IB"]};
  localparam int W = {s["W"]};
  localparam int PB = {s["PB"]};
  localparam int LIMIT = {limit};

  logic clk = 1'b0;
  always #5 clk <= ~clk;
  logic [3:0] rst_count = '0;
  logic rst_n;
  assign rst_n = rst_count == 4'hf;
  always @(posedge clk) if (!rst_n) rst_count <= rst_count + 4'h1;

  logic s_valid, s_ready, m_valid, m_ready;
  logic [Z0*IB-1:0] s_data;
  logic [PB-1:0] m_pred;
  logic [N_OUT*W-1:0] m_codes;
  {top} #(
      .MEM_DIR(MEM_DIR)
  ) dut (
      .clk(clk),
      .rst_n(rst_n),
      .s_valid(s_valid),
      .s_ready(s_ready),
      .s_data(s_data),
      .m_valid(m_valid),
      .m_ready(m_ready),
      .m_pred(m_pred),
      .m_codes(m_codes)
  );

  logic [IB-1:0] pixels[N*N_IN];
  logic [W-1:0] want_codes[N*N_OUT];
  logic [15:0] want_pred[N];
  logic backpressure;
  string out_name;
  int fd;
  initial begin
    // $readmemh only warns about a missing file (the memories then read 0 and
    // agree with each other): refuse to run without the export's files
{_file_checks()}
    $readmemh($sformatf("%s/vectors/input_pixels.mem", MEM_DIR), pixels);
    $readmemh($sformatf("%s/vectors/output_codes.mem", MEM_DIR), want_codes);
    $readmemh($sformatf("%s/vectors/predictions.mem", MEM_DIR), want_pred);
    backpressure = $test$plusargs("backpressure") != 0;
    if ($value$plusargs("out=%s", out_name) == 0) out_name = "rtl_outputs.txt";
    fd = $fopen(out_name, "w");
  end

  int beat = 0, n_done = 0, errors = 0, cycle = 0, first_in = -1, first_out = -1;
  int last_out = -1, beat_errors, row;
  logic [15:0] lfsr = 16'hace1;
  // with +backpressure: an input beat is offered 1 clock in 8, the result is
  // accepted 1 clock in 64, so that every buffer fills and the core stalls
  assign s_valid = rst_n && (beat < N * D0) && (!backpressure || lfsr[2:0] == 3'd0);
  assign m_ready = !backpressure || lfsr[10:5] == 6'd0;
  assign row = (beat < N * D0) ? beat : 0;
  for (genvar j = 0; j < Z0; j++) begin : g_drive
    assign s_data[j*IB+:IB] = pixels[row*Z0+j];
  end
  always_comb begin
    beat_errors = 0;
    for (int k = 0; k < N_OUT; k++) begin
      if (m_codes[k*W+:W] != want_codes[(n_done%N)*N_OUT+k]) beat_errors++;
    end
    if (32'(m_pred) != 32'(want_pred[n_done%N])) beat_errors++;
  end

  always @(posedge clk) begin
    if (rst_n) begin
      cycle <= cycle + 1;
      lfsr  <= {{lfsr[14:0], lfsr[15] ^ lfsr[13] ^ lfsr[12] ^ lfsr[10]}};
      if (s_valid && s_ready) begin
        beat <= beat + 1;
        if (first_in < 0) first_in <= cycle;
      end
      if (m_valid && m_ready) begin
        $fwrite(fd, "%0d", m_pred);
        for (int k = 0; k < N_OUT; k++) $fwrite(fd, " %0d", $signed(m_codes[k*W+:W]));
        $fwrite(fd, "\\n");
        errors <= errors + beat_errors;
        n_done <= n_done + 1;
        if (first_out < 0) first_out <= cycle;
        last_out <= cycle;
      end
      if (n_done == N) begin
        $display("SPARSENN_TB samples=%0d errors=%0d first_in=%0d first_out=%0d %s%0d",
                 N, errors, first_in, first_out, "last_out=", last_out);
        $fclose(fd);
        if (errors != 0) $fatal(1, "SPARSENN_TB FAIL: %0d mismatches", errors);
        $finish;
      end
      if (cycle > LIMIT) $fatal(1, "SPARSENN_TB TIMEOUT after %0d clocks", cycle);
    end
  end
endmodule
"""
