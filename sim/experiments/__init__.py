"""What is done with the model: Monte Carlo runs, calibration, sweeps and scenario discovery."""
