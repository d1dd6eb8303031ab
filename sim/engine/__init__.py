"""The model: conditions, compiled rules, actions, random draws, the Mesa agents and model, the war, outcomes."""
