#!/usr/bin/env bash
# Retrain the shipped models on full MNIST with the CLI (the commands recorded in the README).
set -euxo pipefail
cd "$(dirname "$0")/.."
. .venv/bin/activate
D=${1:-models}  # an empty folder; defaults to models/ (remove the old files first)
mkdir -p $D
python -m ae train --family seed --latent 32 --epochs 50 --batch-size 256 --lr 0.001 --name seed --dest $D
python -m ae train --family conv --latent 32 --widths 32,64 --epochs 20 --batch-size 128 --lr 0.001 --name best-32d --dest $D
python -m ae train --family vae --latent 2 --widths 512,256 --epochs 50 --batch-size 128 --lr 0.001 --name vae-2d --dest $D
python -m ae train --family deep --latent 2 --widths 512,256,128 --epochs 50 --batch-size 128 --lr 0.001 --name ae-2d --dest $D
python -m ae train --family deep --latent 32 --widths 512,256 --noise 0.5 --epochs 30 --batch-size 256 --lr 0.001 --name denoise-32d --dest $D
