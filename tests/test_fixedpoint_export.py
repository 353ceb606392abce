"""Export directory: layout of the memory images, round trip, corruption."""

import json
import warnings

import numpy as np
import pytest
from test_fixedpoint_reference import StandInMLP

from sparsenn.fixedpoint import ExportError, load, to_fixed_point
from sparsenn.fixedpoint._memfiles import read_mem


@pytest.fixture(scope="module")
def clash_free_net():
    from sparsenn import SparseMLPClassifier

    rng = np.random.default_rng(0)
    X = rng.random((100, 16))
    y = np.argmax(X[:, :3], axis=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf = SparseMLPClassifier(
            hidden_layer_sizes=(32,),
            activation="logistic",
            density=0.25,
            connectivity="clash_free",
            max_iter=10,
            random_state=0,
        ).fit(X, y)
    return to_fixed_point(clf), X


@pytest.fixture()
def standin_net():
    rng = np.random.default_rng(1)
    coefs = [
        (rng.random((8, 6)) < 0.5) * rng.normal(0, 1, (8, 6)),
        rng.normal(0, 1, (6, 3)),
    ]
    model = StandInMLP(
        coefs,
        [rng.normal(0, 1, 6), rng.normal(0, 1, 3)],
        np.array(["x", "y", "z"]),
        parallelism=(4, 3),
    )
    return to_fixed_point(model), rng.random((20, 8))


def _read_coe(path, width):
    text = path.read_text()
    body = text.split("memory_initialization_vector=")[1].rstrip().rstrip(";")
    raw = np.array([int(w, 16) for w in body.replace(",", " ").split()])
    return np.where(raw >= 1 << (width - 1), raw - (1 << width), raw)


@pytest.mark.parametrize("which", ["clash_free_net", "standin_net"])
def test_round_trip_and_bank_layout(which, request, tmp_path):
    net, X = request.getfixturevalue(which)
    path = net.save(tmp_path / "export", X=X[:4])
    back = load(path)
    np.testing.assert_array_equal(back.predict(X), net.predict(X))
    for a, b in zip(back.activations(X), net.activations(X), strict=True):
        np.testing.assert_array_equal(a, b)
    assert back.fmt == net.fmt and back.classes_.tolist() == net.classes_.tolist()
    manifest = json.loads((path / "manifest.json").read_text())
    assert manifest["fmt"]["ap_fixed"] == "ap_fixed<12,4>"
    assert manifest["library_version"]
    width = net.fmt.width
    for i, (lay, w) in enumerate(zip(net.layouts, net.edge_weights, strict=True)):
        meta = manifest["junctions"][i]
        assert (meta["z"], meta["cycles"], meta["n_edges"]) == (
            lay.z,
            lay.n_clocks,
            lay.n_edges,
        )
        assert meta["clash_free"] == (lay.clash_clocks() == 0)
        folder = path / f"junction{i}"
        # slots: the stored edges plus any zero-valued padding, in weight order
        slot_w, slot_left = lay.slot_values(w), lay.slot_left
        assert np.array_equal(slot_w[lay.order.stored_slots], w)
        for j in range(lay.z):  # bank j, address c holds slot c*z + j
            bank = read_mem(folder / f"weights_bank{j:03d}.mem", width)
            coe = _read_coe(folder / f"weights_bank{j:03d}.coe", width)
            for c in range(lay.n_clocks):
                e = c * lay.z + j
                assert bank[c] == coe[c] == (slot_w[e] if e < slot_w.size else 0)
            left = read_mem(folder / f"left_bank{j:03d}.mem", 32)
            assert (
                left[: len(slot_left[j :: lay.z])].tolist()
                == slot_left[j :: lay.z].tolist()
            )
        if lay.kind == "clash_free":
            seeds = read_mem(folder / "seeds.mem", 32)
            assert seeds.tolist() == lay.seeds.ravel().tolist()
    # activations of layer h: bank l mod z, address n*depth + l div z
    acts = net.activations(X[:4])
    for h, lay in enumerate(net.layouts):
        depth = lay.padded_sizes[0] // lay.z  # virtual inputs hold 0
        a = np.pad(acts[h], ((0, 0), (0, lay.padded_sizes[0] - lay.n_in)))
        for b in range(lay.z):
            image = read_mem(path / "vectors" / f"layer{h}_bank{b:03d}.mem", width)
            for n in range(4):
                for r in range(depth):
                    assert image[n * depth + r] == a[n, r * lay.z + b]
    lut = read_mem(path / "sigmoid_lut.mem", width)
    np.testing.assert_array_equal(lut, net.sigmoid_lut)


def test_clash_free_export_reports_clash_free(clash_free_net, tmp_path):
    net, _ = clash_free_net
    manifest = json.loads((net.save(tmp_path / "e") / "manifest.json").read_text())
    assert all(
        j["clash_free"] and j["kind"] == "clash_free" for j in manifest["junctions"]
    )


def _write_signed_manifest(path, manifest):
    """Write an edited manifest with a re-computed manifest checksum."""
    from sparsenn.fixedpoint._manifest import MANIFEST_CHECKSUM, manifest_checksum

    manifest[MANIFEST_CHECKSUM] = manifest_checksum(manifest)
    (path / "manifest.json").write_text(json.dumps(manifest))


def _edit_word(path, image):
    """Change one word of a memory image and re-sign the export around it."""
    from sparsenn.fixedpoint._manifest import _sha256

    file = path / image
    lines = file.read_text().splitlines()
    data = [
        k
        for k, line in enumerate(lines)
        if line.strip() and not line.startswith(("//", ";", "memory_"))
    ]
    k = data[len(data) // 2]
    word = lines[k].rstrip(",;")
    new = "0" * (len(word) - 1) + ("1" if word[-1] != "1" else "2")
    lines[k] = lines[k].replace(word, new)
    file.write_text("\n".join(lines) + "\n")
    manifest = json.loads((path / "manifest.json").read_text())
    manifest["files"][image] = _sha256(file)
    _write_signed_manifest(path, manifest)


def _corrupt_byte(path):
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def test_corrupted_or_mismatched_export_names_the_file(standin_net, tmp_path):
    net, _ = standin_net
    path = net.save(tmp_path / "e")

    _corrupt_byte(path / "arrays.npz")
    with pytest.raises(ExportError, match="arrays.npz"):
        load(path)

    net.save(path)  # overwrite: a previous export may be replaced
    (path / "junction1" / "weights_bank002.mem").unlink()
    with pytest.raises(ExportError, match="weights_bank002.mem"):
        load(path)

    net.save(path)
    image = path / "junction0" / "weights_bank001.mem"
    lines = image.read_text().splitlines()
    lines[-1] = "7ff" if lines[-1] != "7ff" else "000"
    image.write_text("\n".join(lines) + "\n")
    manifest = json.loads((path / "manifest.json").read_text())
    from sparsenn.fixedpoint._manifest import _sha256

    manifest["files"]["junction0/weights_bank001.mem"] = _sha256(
        image
    )  # checksum fixed
    _write_signed_manifest(path, manifest)
    with pytest.raises(ExportError, match="weights_bank001.mem.*does not match"):
        load(path)

    net.save(path)
    manifest = json.loads((path / "manifest.json").read_text())
    manifest["junctions"][0]["n_edges"] += 1
    _write_signed_manifest(path, manifest)
    with pytest.raises(ExportError, match="arrays.npz"):
        load(path)

    (path / "manifest.json").write_text("{not json")
    with pytest.raises(ExportError, match="manifest.json"):
        load(path)
    with pytest.raises(ExportError, match="manifest.json"):
        load(tmp_path / "nothing-here")


def test_save_refuses_foreign_directory(standin_net, tmp_path):
    net, _ = standin_net
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(ValueError, match="not a sparsenn.fixedpoint export"):
        net.save(tmp_path)
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_manifest_is_covered_by_its_checksum(standin_net, tmp_path):
    net, X = standin_net
    path = net.save(tmp_path / "e", X=X[:3])
    manifest = json.loads((path / "manifest.json").read_text())
    manifest["input_bits"] = 7  # would silently change predictions
    (path / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ExportError, match=r"manifest.json: checksum mismatch"):
        load(path)


@pytest.mark.parametrize(
    "image",
    [
        "junction0/weights_bank001.coe",
        "junction1/bias_bank000.mem",
        "junction1/bias_bank000.coe",
        "junction0/left_bank002.mem",
        "sigmoid_lut.mem",
        "sigmoid_derivative_lut.coe",
        "vectors/layer1_bank002.mem",
        "vectors/layer2_bank000.mem",
        "vectors/input_pixels.mem",
        "vectors/output_codes.mem",
        "vectors/predictions.mem",
    ],
)
def test_every_image_is_compared_with_the_arrays(standin_net, tmp_path, image):
    net, X = standin_net
    path = net.save(tmp_path / "e", X=X[:5])
    load(path)  # intact
    _edit_word(path, image)
    with pytest.raises(ExportError, match=rf"{image}: memory image does not match"):
        load(path)


@pytest.mark.parametrize("image", ["junction0/seeds.mem", "junction1/dither.mem"])
def test_seed_and_dither_images_are_compared(clash_free_net, tmp_path, image):
    net, X = clash_free_net
    path = net.save(tmp_path / "e", X=X[:2])
    load(path)
    _edit_word(path, image)
    with pytest.raises(ExportError, match=rf"{image}.*first at address \d+"):
        load(path)


def test_export_names_the_differing_words(standin_net, tmp_path):
    net, _ = standin_net
    path = net.save(tmp_path / "e")
    _edit_word(path, "sigmoid_lut.mem")
    with pytest.raises(ExportError) as info:
        load(path)
    message = str(info.value)
    assert "sigmoid_lut.mem" in message and "1 of 4096 words differ" in message
    assert "the file has" in message and "expected" in message


def test_vectors_round_trip_and_streams(standin_net, tmp_path):
    net, X = standin_net
    path = net.save(tmp_path / "e", X=X[:6])
    manifest = json.loads((path / "manifest.json").read_text())
    assert manifest["vectors"] == {"n_samples": 6, "layers": [0, 1, 2]}
    codes = read_mem(path / "vectors" / "output_codes.mem", net.fmt.width)
    np.testing.assert_array_equal(codes.reshape(6, -1), net.output_codes(X[:6]))
    pixels = read_mem(path / "vectors" / "input_pixels.mem", 8, signed=False)
    np.testing.assert_array_equal(pixels.reshape(6, -1), net.input_codes(X[:6]))


@pytest.mark.parametrize("bad", ["nan", "width"])
def test_resave_with_bad_X_keeps_the_earlier_export(standin_net, tmp_path, bad):
    # X is validated before the earlier export is cleared (it was emptied first)
    net, X = standin_net
    path = net.save(tmp_path / "e", X=X[:6])
    before = sorted(p.relative_to(path) for p in path.rglob("*"))
    X_bad = np.full((3, 8), np.nan) if bad == "nan" else X[:3, :5]
    with pytest.raises(ValueError, match="X"):
        net.save(path, X=X_bad)
    assert sorted(p.relative_to(path) for p in path.rglob("*")) == before
    np.testing.assert_array_equal(load(path).predict(X), net.predict(X))


def test_calibration_X_of_the_wrong_width_is_named():
    rng = np.random.default_rng(3)
    model = StandInMLP(
        [rng.normal(0, 1, (12, 5)), rng.normal(0, 1, (5, 3))],
        [np.zeros(5), np.zeros(3)],
        np.arange(3),
    )
    X = rng.random((40, 12))
    with pytest.raises(ValueError, match=r"calibration_X has shape \(40, 10\).*12"):
        to_fixed_point(model, calibration_X=X[:, :10])
    with pytest.raises(ValueError, match=r"calibration_X has shape \(12,\)"):
        to_fixed_point(model, calibration_X=X[0])
    assert to_fixed_point(model, calibration_X=X).output_scale_ > 0


def test_bad_export_arguments_name_the_parameter(standin_net, tmp_path):
    import scipy.sparse as sp

    net, X = standin_net
    rng = np.random.default_rng(3)
    model = StandInMLP([rng.normal(0, 1, (12, 3))], [np.zeros(3)], np.arange(3))
    bad = rng.random((10, 12))
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="calibration_X must be finite"):
        to_fixed_point(model, calibration_X=bad)
    with pytest.raises(TypeError, match="calibration_X is a sparse matrix"):
        to_fixed_point(model, calibration_X=sp.csr_matrix(rng.random((10, 12))))
    with pytest.raises(TypeError, match="X has complex values"):
        net.predict(X[:2] + 0j)
    with pytest.raises(TypeError, match="X is a sparse matrix"):
        net.predict(sp.csr_matrix(X[:2]))
    with pytest.raises(TypeError, match="hidden_vectors"):
        net.save(tmp_path / "e", X=X[:2], hidden_vectors="no")
    with pytest.raises(TypeError, match="input_bits"):
        to_fixed_point(model, input_bits=True)
    codes = net.input_codes(X[:2])
    codes[0, 0] = codes.max() + 1000  # would wrap or skip saturation silently
    with pytest.raises(ValueError, match=r"codes must lie in \[0, "):
        net.activations_from_codes(codes)


def test_io_only_vectors(standin_net, tmp_path):
    net, X = standin_net
    path = net.save(tmp_path / "e", X=X[:4], hidden_vectors=False)
    assert not list((path / "vectors").glob("layer1_*"))
    assert (path / "vectors" / "layer2_bank000.mem").is_file()
    load(path)
    _edit_word(path, "vectors/output_codes.mem")
    with pytest.raises(ExportError, match="output_codes.mem: memory image"):
        load(path)


def test_save_into_a_file_and_files_added_later(standin_net, tmp_path):
    net, X = standin_net
    (tmp_path / "file").write_text("x")
    with pytest.raises(ValueError, match=r"path=.*file.* is a file"):
        net.save(tmp_path / "file")
    path = net.save(tmp_path / "e", X=X[:2])
    (path / "rtl").mkdir()
    (path / "rtl" / "notes.txt").write_text("a simulation output")
    with pytest.warns(UserWarning, match=r"rtl/ was not written by sparsenn"):
        path = net.save(path, X=X[:3])  # re-export beside files added since
    manifest = json.loads((path / "manifest.json").read_text())
    assert not any(name.startswith("rtl/") for name in manifest["files"])
    (path / "rtl" / "notes.txt").write_text("changed")  # not part of the export
    load(path)


def test_format_version_1_exports_load_with_a_warning(standin_net, tmp_path):
    net, X = standin_net
    path = net.save(tmp_path / "e")
    manifest = json.loads((path / "manifest.json").read_text())
    manifest["format_version"] = 1
    del manifest["manifest_sha256"]
    (path / "manifest.json").write_text(json.dumps(manifest))
    with pytest.warns(UserWarning, match="format_version 1") as record:
        back = load(path)
    assert record[0].filename == __file__  # attributed to the caller's line
    np.testing.assert_array_equal(back.predict(X), net.predict(X))
    manifest["format_version"] = 3
    (path / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ExportError, match="format_version 3 is not supported"):
        load(path)


def _list_in_manifest(path, name, sign=True):
    manifest = json.loads((path / "manifest.json").read_text())
    manifest["files"][name] = "0" * 64
    if sign:
        _write_signed_manifest(path, manifest)
    else:
        (path / "manifest.json").write_text(json.dumps(manifest))


def test_resave_deletes_nothing_an_unverified_manifest_lists(standin_net, tmp_path):
    net, _ = standin_net
    victim = tmp_path / "victim.txt"
    victim.write_text("important\n")
    path = net.save(tmp_path / "e")
    _list_in_manifest(path, "../victim.txt", sign=False)
    arrays = (path / "arrays.npz").read_bytes()
    with pytest.raises(ExportError, match=r"manifest.json: checksum mismatch.*nothing"):
        net.save(path)
    assert victim.read_text() == "important\n"
    assert (path / "arrays.npz").read_bytes() == arrays  # nothing deleted


@pytest.mark.parametrize("name", ["../victim.txt", "ABSOLUTE", "link/victim.txt"])
def test_resave_deletes_only_inside_the_export(standin_net, tmp_path, name):
    net, _ = standin_net
    victim = tmp_path / "victim.txt"
    victim.write_text("important\n")
    path = net.save(tmp_path / "e")
    if name == "ABSOLUTE":
        name = str(victim)
    if name.startswith("link/"):
        (path / "link").symlink_to(tmp_path, target_is_directory=True)
    _list_in_manifest(path, name)  # even when the manifest is re-signed
    with pytest.raises(ExportError, match=r"lists the file .*victim.txt.* not a path"):
        net.save(path)
    assert victim.read_text() == "important\n"
    assert (path / "arrays.npz").is_file() and (path / "manifest.json").is_file()


def test_resave_removes_the_generated_rtl_and_warns_about_build(tmp_path):
    from test_fixedpoint_verilog import NETWORKS, _inputs

    net_a, net_b = NETWORKS["1j_138_z16"](), NETWORKS["2j_127_dense"]()
    path = tmp_path / "hw"
    info = net_a.to_verilog(path, X=_inputs(32, 3, 0))
    manifest = json.loads((path / "manifest.json").read_text())
    assert sorted(manifest["rtl"]["files"]) == sorted(
        f"rtl/{p.name}" for p in [*info["sources"], info["testbench"]]
    )
    load(path)  # the rtl entry keeps the manifest valid
    (path / "build").mkdir()
    (path / "build" / "Vsparsenn_core_tb").write_text("binary of net_a")
    with pytest.warns(UserWarning, match=r"but build/ was not written by sparsenn"):
        net_b.save(path, X=_inputs(8, 3, 0))
    assert not (path / "rtl").exists()  # the stale core of net_a is gone
    assert (path / "build" / "Vsparsenn_core_tb").is_file()  # not ours: kept
    load(path)


def test_edited_rtl_files_are_kept(tmp_path):
    from test_fixedpoint_verilog import NETWORKS

    net = NETWORKS["1j_138_z16"]()
    path = tmp_path / "hw"
    net.to_verilog(path, top="old_core")
    (path / "rtl" / "old_core.sv").write_text("// my edits\n")
    with pytest.warns(UserWarning, match=r"rtl/ was not written by sparsenn"):
        info = net.to_verilog(path, top="new_core")  # the old core is replaced
    assert sorted(p.name for p in info["rtl"].iterdir()) == [
        "new_core.sv",
        "new_core_junction.sv",
        "new_core_outbuf.sv",
        "new_core_ring.sv",
        "old_core.sv",  # edited: kept
    ]


def _edit_first_word(path, image, new):
    """Set the first data word of a .mem image and re-sign the export."""
    from sparsenn.fixedpoint._manifest import _sha256

    file = path / image
    lines = file.read_text().splitlines()
    k = next(i for i, line in enumerate(lines) if line and not line.startswith("//"))
    lines[k] = new
    file.write_text("\n".join(lines) + "\n")
    manifest = json.loads((path / "manifest.json").read_text())
    manifest["files"][image] = _sha256(file)
    _write_signed_manifest(path, manifest)


def test_edited_input_bank_is_named_not_the_pixel_stream(standin_net, tmp_path):
    net, _ = standin_net
    X = np.zeros((3, 8))
    path = net.save(tmp_path / "e", X=X)
    # a full-scale input 0 of sample 0 changes the outputs: the bank is named
    _edit_first_word(path, "vectors/layer0_bank000.mem", "0ff")
    with pytest.raises(ExportError) as info:
        load(path)
    message = str(info.value)
    assert "vectors/layer0_bank000.mem: memory image does not match" in message
    assert "input_pixels.mem" not in message.split(":")[0]
    # the pixel stream edited instead: it is named
    path = net.save(tmp_path / "f", X=X)
    _edit_first_word(path, "vectors/input_pixels.mem", "ff")
    with pytest.raises(ExportError, match=r"input_pixels.mem: memory image does not"):
        load(path)


def test_input_records_that_disagree_without_a_witness_name_both(standin_net, tmp_path):
    net, _ = standin_net
    path = net.save(tmp_path / "e", X=np.zeros((3, 8)))
    _edit_first_word(path, "vectors/layer0_bank000.mem", "001")  # outputs unchanged
    with pytest.raises(ExportError) as info:
        load(path)
    message = str(info.value)
    assert "layer0_bank000.mem (address 0) and input_pixels.mem (address 0)" in message
    assert "disagree on input 0 of sample 0" in message
