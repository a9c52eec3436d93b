2026-11-29T15:38:10+00:00 bin/smoothguard certify --model /root/smoothguard-runs/onnx/fashion-mnist-mae-s025.onnx --data idx:/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz,/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz --from 1000 --max 1500 --n0 100 --n 10000 --alpha 0.001 --seed 0 --threads 1 --out /root/smoothguard-runs/cert/mae-s025.tsv --sigma 0.25
2026-11-29T17:05:49+00:00 rc=0 wall_s=5259
2026-11-29T17:05:51+00:00 stopped by hand at the session's end after 287 images (idx 1000-1286)
2026-11-29T17:27:51+00:00 bin/smoothguard certify --model /root/smoothguard-runs/onnx/fashion-mnist-mae-s025.onnx --data idx:/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz,/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz --from 1287 --max 1500 --n0 100 --n 10000 --alpha 0.001 --seed 0 --threads 1 --out /root/smoothguard-runs/cert/mae-s025-b.tsv --sigma 0.25
2026-11-29T17:58:33+00:00 rc=0 wall_s=1842
