2026-11-29T16:36:34+00:00 bin/smoothguard certify --model /root/smoothguard-runs/onnx/fashion-mnist-scratch-s025.onnx --data idx:/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz,/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz --from 1000 --max 1500 --n0 100 --n 10000 --alpha 0.001 --seed 0 --threads 1 --out /root/smoothguard-runs/cert/scratch-s025.tsv --sigma 0.25
2026-11-29T17:05:49+00:00 rc=0 wall_s=1755
2026-11-29T17:05:51+00:00 stopped by hand at the session's end after 159 images (idx 1000-1158)
2026-11-29T17:27:51+00:00 bin/smoothguard certify --model /root/smoothguard-runs/onnx/fashion-mnist-scratch-s025.onnx --data idx:/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz,/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz --from 1159 --max 1500 --n0 100 --n 10000 --alpha 0.001 --seed 0 --threads 1 --out /root/smoothguard-runs/cert/scratch-s025-b.tsv --sigma 0.25
2026-11-29T18:11:02+00:00 rc=0 wall_s=2591
