"""The demo programme: the story `samverkan demo load` tells, apart from the CLI that loads it."""
