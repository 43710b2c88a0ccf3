"""Pure helpers of the authoring workbench (no Flask): JSON positions, previews, plays."""
