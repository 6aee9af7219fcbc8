"""One module per ``samaudio`` subcommand; see ``agent.cli``."""
