# End-to-end tests of `attnviz video`: the strip in every format, GIF/MP4 byte-identical on re-run,
# numbers against numpy (scripts/reference/video.py), the sample clip's dot found by attention,
# pixels of the animation, and bad inputs. Included from tests/CMakeLists.txt after
# cli_tests.cmake, arrows_tests.cmake and cluster_tests.cmake (their functions and folders).
set(VIDEO_FIX ${FIX}/video)
set(VIDEO_SAMPLE ${DATA}/video_attn.npz --frames 8 --grid 4x4 --fuse mean)
set(VIDEO_TMP ${TMP}/video)
file(MAKE_DIRECTORY ${VIDEO_TMP})

# The strip of the sample clip: pngcheck, qpdf, pdftoppm, rsvg-convert; identical on re-run.
attnviz_figure_consumers(video_strip NEEDS ${DATA}/video_attn.npz
                         ARGS video ${VIDEO_SAMPLE} --clip ${DATA}/video_frames)
attnviz_figure_consumers(video_spatial NEEDS ${VIDEO_FIX}/spatial.npy
                         ARGS video ${VIDEO_FIX}/spatial.npy --layout spatial --frames 3 --grid 2x2
                              --head 1 --clip ${VIDEO_FIX}/frames)
attnviz_figure_consumers(video_temporal NEEDS ${VIDEO_FIX}/temporal.npy
                         ARGS video ${VIDEO_FIX}/temporal.npy --layout temporal --frames 3 --grid 2x2
                              --fuse mean)

# GIF and MP4: identical bytes twice, the container's signature, and the MP4 read back as a clip.
add_test(NAME cli.video_animations
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/video_animations.sh $<TARGET_FILE:attnviz>
                 ${VIDEO_TMP} ${DATA})
# The GIF's frames (alpha 1: pure colormap): in each, the hottest patch holds the dot.
add_test(NAME cli.video_gif_dot_pixels
         COMMAND /usr/bin/python3 ${CMAKE_CURRENT_SOURCE_DIR}/cli/video_gif_pixels.py
                 $<TARGET_FILE:attnviz> ${VIDEO_TMP} ${DATA})

# Numbers against numpy: joint (CLS and a patch query, fused heads), spatial, temporal.
set(VIDEO_EXPECTED "e = json.load(open('${VIDEO_FIX}/expected.json'))")
attnviz_json_check(video_json_joint_cls
  "${VIDEO_EXPECTED}['joint']
assert d['cls'] and d['frames'] == 2 and d['grid'] == [2, 3]
assert all(abs(a - b) < 1e-6 for a, b in zip(d['mass_per_frame'], e['cls_mass_per_frame']))
assert abs(d['cls_weight'] - e['cls_weight']) < 1e-6
assert [p['y'] * 3 + p['x'] for p in d['argmax_patch']] == e['cls_argmax']"
  video ${VIDEO_FIX}/joint.npy --frames 2 --grid 2x3 --fuse mean --json)
attnviz_json_check(video_json_joint_patch
  "${VIDEO_EXPECTED}['joint']
assert d['query_token'] == 12
assert all(abs(a - b) < 1e-6 for a, b in zip(d['mass_per_frame'], e['patch_1_1_2_mass_per_frame']))"
  video ${VIDEO_FIX}/joint.npy --frames 2 --grid 2x3 --fuse mean --query 1,1,2 --json)
attnviz_json_check(video_json_spatial
  "${VIDEO_EXPECTED}['spatial']
assert all(abs(a - b) < 1e-6 for m, n in zip(d['maps'], e['head1_cls_maps']) for a, b in zip(m, n))
assert all(abs(a - b) < 1e-6 for a, b in zip(d['mass_per_frame'], e['head1_cls_mass']))"
  video ${VIDEO_FIX}/spatial.npy --layout spatial --frames 3 --grid 2x2 --head 1 --json)
attnviz_json_check(video_json_spatial_patch
  "${VIDEO_EXPECTED}['spatial']
assert all(abs(a - b) < 1e-6 for m, n in zip(d['maps'], e['head1_patch_1_0_maps']) for a, b in zip(m, n))"
  video ${VIDEO_FIX}/spatial.npy --layout spatial --frames 3 --grid 2x2 --head 1 --query 1,0 --json)
attnviz_json_check(video_json_temporal
  "${VIDEO_EXPECTED}['temporal']
m = [d['matrix'][i * 3:(i + 1) * 3] for i in range(3)]
assert all(abs(a - b) < 1e-6 for r, s in zip(m, e['mean_over_positions']) for a, b in zip(r, s))"
  video ${VIDEO_FIX}/temporal.npy --layout temporal --frames 3 --grid 2x2 --fuse mean --json)
attnviz_json_check(video_json_temporal_position
  "${VIDEO_EXPECTED}['temporal']
m = [d['matrix'][i * 3:(i + 1) * 3] for i in range(3)]
assert all(abs(a - b) < 1e-6 for r, s in zip(m, e['position_1_0']) for a, b in zip(r, s))"
  video ${VIDEO_FIX}/temporal.npy --layout temporal --frames 3 --grid 2x2 --fuse mean --query 1,0 --json)
add_test(NAME cli.video_frame_map
         COMMAND bash ${ATTNVIZ_FIGURE_CHECK} ${VIDEO_FIX}/joint.npy $<TARGET_FILE:attnviz>
                 ${VIDEO_TMP}/frame_map_joint.svg video ${VIDEO_FIX}/joint.npy --frames 2
                 --grid 2x3 --fuse mean --clip ${VIDEO_FIX}/frames --frame-map ${VIDEO_TMP}/frame_map.png)

# The sample clip (data/video_truth.json, data/README.md#video): the patch holding the dot is
# the CLS row's argmax in at least 7 of the 8 frames, and a frame's attention on that patch is a
# multiple of chance (1/16). Bounds: over 50 held-out clips the script measured, for the mean of
# the heads, a share of 0.181 and the argmax on the dot in 93% of frames; for head 1 (the head
# that tracks the dot) 0.683 and 95.5%; this clip measures 0.183 and 0.690, 8 of 8. A wrong frame
# or patch order, a CLS off by one or a wrong head lands near chance, 0.0625, far below 0.125
# (twice chance) and 0.4.
function(video_dot_truth name share)
  attnviz_json_check(${name}
    "t = json.load(open('${DATA}/video_truth.json'))
hits = sum([p['y'], p['x']] == q for p, q in zip(d['argmax_patch'], t['dot_patch_yx']))
shares = [m[y * 4 + x] / s for m, s, (y, x) in zip(d['maps'], d['mass_per_frame'], t['dot_patch_yx'])]
print('argmax hits', hits, 'mean share', sum(shares) / 8)
assert hits >= 7, hits
assert sum(shares) / 8 >= ${share}, shares"
    ${ARGN})
endfunction()
video_dot_truth(video_sample_dot_truth_mean 0.125 video ${VIDEO_SAMPLE} --json)
video_dot_truth(video_sample_dot_truth_head1 0.4
                video ${DATA}/video_attn.npz --frames 8 --grid 4x4 --head 1 --json)

# Bad inputs: one line, the documented exit code, no output left.
attnviz_cli_test(video_wrong_grid EXIT 2 STDERR "expected 8 x 3 x 3 = 72 patch tokens \\(73 with CLS\\), found 129"
                 ABSENT ${VIDEO_TMP}/wrong_grid.png
                 ARGS video ${DATA}/video_attn.npz --frames 8 --grid 3x3 --clip ${DATA}/video_frames -o ${VIDEO_TMP}/wrong_grid.png)
attnviz_cli_test(video_no_cls_query EXIT 2 STDERR "--no-cls: expected"
                 ARGS video ${VIDEO_SAMPLE} --no-cls --json)
attnviz_cli_test(video_patch_query_outside EXIT 2 STDERR "--query: frame 8, patch \\(0, 0\\) is outside 8 frames"
                 ARGS video ${VIDEO_SAMPLE} --query 8,0,0 --json)
attnviz_cli_test(video_bad_query EXIT 2 STDERR "--query: expected cls or t,y,x, found 1,2"
                 ARGS video ${VIDEO_SAMPLE} --query 1,2 --json)
attnviz_cli_test(video_corrupt_clip EXIT 3 STDERR "random_bytes\\.mp4: "
                 ABSENT ${VIDEO_TMP}/corrupt.png
                 ARGS video ${VIDEO_SAMPLE} --clip ${VIDEO_FIX}/random_bytes.mp4 -o ${VIDEO_TMP}/corrupt.png)
attnviz_cli_test(video_truncated_clip EXIT 3 STDERR "truncated\\.mp4: "
                 ABSENT ${VIDEO_TMP}/truncated.gif
                 ARGS video ${VIDEO_SAMPLE} --clip ${VIDEO_FIX}/truncated.mp4 -o ${VIDEO_TMP}/truncated.gif)
attnviz_cli_test(video_too_few_frames EXIT 3 STDERR "frames: expected at least 8 frames \\(--frames\\), found 3"
                 ABSENT ${VIDEO_TMP}/few.png
                 ARGS video ${VIDEO_SAMPLE} --clip ${VIDEO_FIX}/frames -o ${VIDEO_TMP}/few.png)
attnviz_cli_test(video_missing_clip EXIT 3 STDERR "nope: cannot open"
                 ABSENT ${VIDEO_TMP}/missing.png
                 ARGS video ${VIDEO_SAMPLE} --clip ${VIDEO_FIX}/nope -o ${VIDEO_TMP}/missing.png)
attnviz_cli_test(video_needs_clip EXIT 2 STDERR "-o: the frames are needed"
                 ARGS video ${VIDEO_SAMPLE} -o ${VIDEO_TMP}/noclip.png)
attnviz_cli_test(video_nothing_to_do EXIT 2 STDERR "nothing to do"
                 ARGS video ${VIDEO_SAMPLE})
attnviz_cli_test(video_spatial_batch EXIT 3 STDERR "expected a batch axis of 4 frames \\(--frames\\), found 3"
                 ARGS video ${VIDEO_FIX}/spatial.npy --layout spatial --frames 4 --grid 2x2 --json)
attnviz_cli_test(video_temporal_shape EXIT 3 STDERR "expected 9 patch positions \\(batch\\) of 3 x 3 frames, found 4"
                 ARGS video ${VIDEO_FIX}/temporal.npy --layout temporal --frames 3 --grid 3x3 --json)
attnviz_cli_test(video_unwritable EXIT 4 STDERR "no_such_dir"
                 ARGS video ${VIDEO_SAMPLE} --clip ${DATA}/video_frames -o ${VIDEO_TMP}/no_such_dir/x.gif)
attnviz_cli_test(video_no_size EXIT 2 STDERR "--size: a video figure takes its size from the frames"
                 ARGS video ${VIDEO_SAMPLE} --clip ${DATA}/video_frames --size 6in -o ${VIDEO_TMP}/size.png)
attnviz_cli_test(video_no_template EXIT 2 STDERR "video writes one figure, not a template"
                 ABSENT ${VIDEO_TMP}/L.png
                 ARGS video ${VIDEO_SAMPLE} --clip ${DATA}/video_frames -o ${VIDEO_TMP}/L{layer}.png)
add_test(NAME cli.video_without_module
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/without_module.sh $<TARGET_FILE:attnviz>
                 ${DATA} ${TMP}/video_without_module attnviz_ffmpeg.so 4 clip.gif
                 video ${DATA}/video_attn.npz --frames 8 --grid 4x4 --clip ${DATA}/video_frames
                 -o clip.gif)
