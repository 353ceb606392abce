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
    from sparsenn.fixedpoint._export import _sha256

    manifest["files"]["junction0/weights_bank001.mem"] = _sha256(
        image
    )  # checksum fixed
    (path / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ExportError, match="weights_bank001.mem.*does not match"):
        load(path)

    net.save(path)
    manifest = json.loads((path / "manifest.json").read_text())
    manifest["junctions"][0]["n_edges"] += 1
    (path / "manifest.json").write_text(json.dumps(manifest))
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
