"""Electronic monitoring of key areas: units' structured notifications are read, validated and
checked by rules; early warnings go back with a rectification deadline."""
