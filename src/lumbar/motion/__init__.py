"""Pure motion analysis and the exercise figures: landmarks, filters, signals, reps, holds, faults, SVG.

`pose.py` is the only module here that touches a camera model (MediaPipe); the rest is plain numpy.
"""
