import FeatureFlags
public enum PlaceholderHTTP {}
