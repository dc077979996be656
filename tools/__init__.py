"""The dataset generator and other maintenance tools (they read schemas/, never orchestration/)."""
