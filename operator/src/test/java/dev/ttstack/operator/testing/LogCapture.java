package dev.ttstack.operator.testing;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Captures every log event: our code and JOSDK at every level (DEBUG and TRACE included, whatever
 * the console shows), other libraries at their configured level, with exception messages and stack
 * frames, so tests can prove what never appears in logs.
 */
public final class LogCapture implements AutoCloseable {
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  /** Loggers opened to every level while capturing: ours and the operator framework's. */
  private static final List<String> OPENED = List.of("dev.ttstack", "io.javaoperatorsdk");

  private final Logger root;
  private final java.util.Map<String, ch.qos.logback.classic.Level> previousLevels =
      new java.util.HashMap<>();
  private final LoggerContext context;

  public LogCapture() {
    context = (LoggerContext) LoggerFactory.getILoggerFactory();
    root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    for (String name : OPENED) {
      Logger logger = context.getLogger(name);
      previousLevels.put(name, logger.getLevel());
      logger.setLevel(
          ch.qos.logback.classic.Level.ALL); // the console appender still shows INFO and up only
    }
    appender.setContext(context);
    appender.start();
    root.addAppender(appender);
  }

  /**
   * Every captured line: the formatted message, then each exception's class, message and frames.
   */
  public List<String> lines() {
    List<String> lines = new ArrayList<>();
    for (ILoggingEvent e : List.copyOf(appender.list)) {
      lines.add(e.getLoggerName() + " " + e.getFormattedMessage());
      for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
        lines.add(t.getClassName() + ": " + t.getMessage());
        for (var frame : t.getStackTraceElementProxyArray()) {
          lines.add(frame.getSTEAsString());
        }
      }
    }
    return lines;
  }

  @Override
  public void close() {
    root.detachAppender(appender);
    previousLevels.forEach((name, level) -> context.getLogger(name).setLevel(level));
  }
}
