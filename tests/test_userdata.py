"""The capstone's data sources: the bundled real text and the learner's own CSV file."""

import numpy as np
import pytest

from helpers.data import OTHER, load_csv, load_text_corpus


def test_text_corpus_is_real_english_of_the_stated_size():
    corpus = load_text_corpus(length=10, vocab_size=500)
    assert 60_000 < corpus.n_words < 70_000 and 3_000 < corpus.n_types < 3_300
    assert corpus.windows.shape == (corpus.n_words // 10, 10)
    assert corpus.vocab[:3] == ("the", "a", "is") and corpus.vocab[-1] == OTHER
    assert corpus.windows.min() == 0 and corpus.windows.max() == 499
    counts = np.bincount(corpus.windows[:, :].ravel(), minlength=500)
    assert np.all(np.diff(counts[:499]) <= 0.02 * counts[0])  # ranked by frequency (windows cut
    # the tail of the text, so ranks can swap only between near-equal counts)


def test_text_corpus_vocabulary_larger_than_the_types_keeps_every_word():
    corpus = load_text_corpus(vocab_size=4000)
    assert len(corpus.vocab) == corpus.n_types + 1
    assert not np.any(corpus.windows == corpus.n_types)  # nothing falls into <other>


@pytest.mark.parametrize("kwargs, name", [({"length": 1}, "length"), ({"length": 65}, "length"),
                                          ({"vocab_size": 1}, "vocab_size"),
                                          ({"vocab_size": 2.5}, "vocab_size")])
def test_text_corpus_rejects_bad_arguments_by_name(kwargs, name):
    with pytest.raises((TypeError, ValueError), match=name):
        load_text_corpus(**kwargs)


def test_decode_roundtrips_and_refuses_bad_ids():
    corpus = load_text_corpus(length=4, vocab_size=20)
    assert corpus.decode(np.array([0, 1, 19])) == f"the a {OTHER}"
    with pytest.raises(ValueError, match="ids in"):
        corpus.decode(np.array([20]))
    with pytest.raises(TypeError, match="row"):
        corpus.decode(np.array([0.5]))


def write(tmp_path, text, name="data.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def rows(n, cols=2):
    return "\n".join(",".join(str(i * (j + 1) + j * i * i % 5) for j in range(cols))
                     for i in range(n))


def test_a_clean_file_loads_with_or_without_header(tmp_path):
    assert load_csv(write(tmp_path, "x,y\n" + rows(25))).shape == (25, 2)
    assert load_csv(write(tmp_path, rows(25))).shape == (25, 2)
    assert load_csv(write(tmp_path, "x,y\n" + rows(25) + "\n\n")).shape == (25, 2)


def test_missing_values_are_named_with_their_lines(tmp_path):
    path = write(tmp_path, "x,y\n" + rows(24) + "\n3,\n4,NA\n")
    with pytest.raises(ValueError, match=r"2 missing value\(s\) \(line 26, y; line 27, y\)"):
        load_csv(path)


def test_text_columns_are_named(tmp_path):
    body = "\n".join(f"{i},Paris" for i in range(25))
    with pytest.raises(ValueError, match=r"column 'city' holds text \('Paris' on line 2\)"):
        load_csv(write(tmp_path, "x,city\n" + body))


def test_too_few_rows_is_said_with_the_count(tmp_path):
    with pytest.raises(ValueError, match="only 5 data row"):
        load_csv(write(tmp_path, "x,y\n" + rows(5)))
    assert load_csv(write(tmp_path, "x,y\n" + rows(5)), min_rows=5).shape == (5, 2)


def test_all_three_problems_are_reported_together(tmp_path):
    path = write(tmp_path, "x,label\n1,a\n,b\n")
    with pytest.raises(ValueError) as info:
        load_csv(path)
    message = str(info.value)
    assert "missing value" in message and "holds text" in message and "only 2 data" in message


def test_ragged_rows_and_empty_and_missing_files(tmp_path):
    with pytest.raises(ValueError, match="do not have 2 values"):
        load_csv(write(tmp_path, "x,y\n" + rows(25) + "\n1,2,3\n"))
    with pytest.raises(ValueError, match="is empty"):
        load_csv(write(tmp_path, "\n\n"))
    with pytest.raises(ValueError, match="no file"):
        load_csv(tmp_path / "absent.csv")
    with pytest.raises(TypeError, match="path"):
        load_csv(3)
    (tmp_path / "latin.csv").write_bytes(b"x\n\xe9\n")
    with pytest.raises(ValueError, match="UTF-8"):
        load_csv(tmp_path / "latin.csv")
