"""What people see: tables, files, plots, the rule book and rollouts in words, the handout and the classroom app."""
