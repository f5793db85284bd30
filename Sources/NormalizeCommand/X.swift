public enum NormalizeCommandPlaceholder {}
