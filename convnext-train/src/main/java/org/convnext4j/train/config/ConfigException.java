package org.convnext4j.train.config;

/** A recipe the user wrote that cannot be used: the message names the file, the key path and what was expected. */
public class ConfigException extends IllegalArgumentException {

    public ConfigException(String message) {
        super(message);
    }
}
