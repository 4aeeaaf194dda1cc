"""How well members belong (`analysis.modeling.typicality`): `fit` ranks within a theme; a
misfit is a member its own name does not describe and another theme's name or centroid does
better."""

from __future__ import annotations

import numpy as np

from analysis.modeling.typicality import member_fit, misfits


def test_fit_ranks_members_within_their_theme():
    labels = np.array([0, 0, 0, 1, 1, -1])
    membership = np.array([1.0, 0.5, 0.8, 0.9, 0.9, 0.0])
    similarity = np.array([[0.9, 0.1], [0.5, 0.4], [0.8, 0.2], [0.2, 0.7], [0.1, 0.9], [0.3, 0.3]])
    fit = member_fit(labels, membership, similarity)
    assert np.isnan(fit[5])  # an outlier is no theme's member
    assert fit[0] == 1.0 and fit[1] == 0.0  # best on all three; worst on all three
    assert 0 < fit[2] < 1
    assert fit[4] > fit[3]  # same share of fits, nearer its centroid with a wider margin
    assert np.nanmin(fit) >= 0 and np.nanmax(fit) <= 1


def test_misfits_need_another_theme_that_says_it_better():
    labels = np.array([0, 0, 0, 1, -1])
    described = np.array([True, False, False, False, False])
    name_score = np.array([[0.5, 0.1], [0.1, 0.3], [0.3, 0.1], [0.1, 0.2], [0.0, 0.9]])
    similarity = np.array([[0.9, 0.1], [0.8, 0.2], [0.4, 0.6], [0.3, 0.8], [0.1, 0.9]])
    mis, better = misfits(labels, described, name_score, similarity)
    # 0: described by its own name; 1: another name says it better; 2: another centroid
    # is nearer; 3: neither (its own name and centroid are the best there are); 4: an outlier
    assert mis.tolist() == [False, True, True, False, False]
    assert better.tolist() == [-1, 1, 1, -1, -1]
    # a paper its own name describes is no misfit, however near another centroid is
    described[2] = True
    assert not misfits(labels, described, name_score, similarity)[0][2]


def test_a_member_its_own_name_does_not_describe_at_all_is_a_misfit_with_no_better_theme():
    """A channel-estimation paper among compression papers: no other theme says it better,
    but its own name scores below MIN_NAME_SCORE while an area of its own describes it."""
    from analysis.modeling.typicality import MIN_NAME_SCORE, misfit_note

    labels = np.array([0, 0, 0, 1])
    described = np.array([True, False, False, False])
    low = MIN_NAME_SCORE / 2
    name_score = np.array([[0.5, 0.1], [-0.06, -0.2], [low, -0.2], [0.1, 0.2]])
    similarity = np.array([[0.9, 0.1], [0.6, 0.2], [0.6, 0.2], [0.3, 0.8]])
    area_score = np.array([0.5, 0.33, 0.001, 0.3])
    mis, better = misfits(labels, described, name_score, similarity, area_score)
    # 1: its name says nothing of it, its own area says much: a misfit, no better theme;
    # 2: nothing describes it at all (best area 0.001): its name is not to blame
    assert mis.tolist() == [False, True, False, False]
    assert better.tolist() == [-1, -1, -1, -1]
    assert not misfits(labels, described, name_score, similarity)[0][1]  # rule not asked for
    # a keyphrase name cannot say (-inf): never a misfit by this rule
    name_score[1, 0] = -np.inf
    assert not misfits(labels, described, name_score, similarity, area_score)[0][1]
    assert misfit_note("") == "its theme's name does not describe it"
    assert misfit_note("Decoding speedups") == "better in Decoding speedups"
