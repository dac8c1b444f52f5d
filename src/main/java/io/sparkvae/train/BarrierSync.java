package io.sparkvae.train;

import java.lang.reflect.Field;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.RequestMethod$;
import org.apache.spark.RequestToSync;
import org.apache.spark.rpc.AbortableRpcFuture;
import org.apache.spark.rpc.RpcEndpointRef;
import org.apache.spark.rpc.RpcTimeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Enumeration;
import scala.concurrent.Await;
import scala.concurrent.duration.FiniteDuration;
import scala.reflect.ClassTag$;

/**
 * {@link BarrierTaskContext#barrier()} and {@link BarrierTaskContext#allGather(String)} without their 1-second
 * polling: Spark 3.5 sends the request to the driver's barrier coordinator and then checks whether the reply has
 * come with {@code Thread.sleep(1000)} between checks, so every barrier costs up to a second (in a first try of
 * {@link BarrierAveraging}, 0.9 s per barrier, 90% of the epoch). This sends the same request (the same
 * coordinator, message and barrier epoch, so it can be mixed with the context's own calls) and waits on the reply
 * itself, checking every 50 ms whether the task was killed, as Spark does every second.
 *
 * <p>It reaches into the context's private coordinator reference and epoch counter. If a Spark version lacks
 * them, it warns once and uses the context's own (slow) calls.
 */
final class BarrierSync {
  private static final Logger LOG = LoggerFactory.getLogger(BarrierSync.class);
  private static final FiniteDuration POLL = new FiniteDuration(50, TimeUnit.MILLISECONDS);
  private static final Field COORDINATOR;
  private static final Field EPOCH;

  static {
    Field coordinator = null;
    Field epoch = null;
    try {
      coordinator = BarrierTaskContext.class.getDeclaredField("barrierCoordinator");
      epoch = BarrierTaskContext.class.getDeclaredField("org$apache$spark$BarrierTaskContext$$barrierEpoch");
      coordinator.setAccessible(true);
      epoch.setAccessible(true);
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.warn("Spark's BarrierTaskContext has no barrierCoordinator/barrierEpoch ({}); parameter averaging uses "
          + "its barrier(), which waits in steps of a second", e.toString());
      coordinator = null;
      epoch = null;
    }
    COORDINATOR = coordinator;
    EPOCH = epoch;
  }

  private final BarrierTaskContext ctx;

  BarrierSync(BarrierTaskContext ctx) {
    this.ctx = ctx;
  }

  /** Waits until every task of the stage has called it. */
  void barrier() {
    if (COORDINATOR == null) {
      ctx.barrier();
    } else {
      sync("", RequestMethod$.MODULE$.BARRIER());
    }
  }

  /** Every task's message, in partition order, once every task has sent its own. */
  String[] allGather(String message) {
    return COORDINATOR == null ? ctx.allGather(message) : sync(message, RequestMethod$.MODULE$.ALL_GATHER());
  }

  private String[] sync(String message, Enumeration.Value method) {
    int epoch;
    RpcEndpointRef coordinator;
    try {
      epoch = EPOCH.getInt(ctx);
      coordinator = (RpcEndpointRef) COORDINATOR.get(ctx);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    }
    RequestToSync request = new RequestToSync(ctx.numPartitions(), ctx.stageId(), ctx.stageAttemptNumber(),
        ctx.taskAttemptId(), epoch, ctx.partitionId(), message, method);
    AbortableRpcFuture<String[]> reply = coordinator.askAbortable(request,
        new RpcTimeout(new FiniteDuration(365, TimeUnit.DAYS), "barrierTimeout"),
        ClassTag$.MODULE$.apply(String[].class));
    try {
      while (true) {
        try {
          String[] messages = Await.result(reply.future(), POLL);
          EPOCH.setInt(ctx, epoch + 1);
          return messages;
        } catch (TimeoutException e) {
          ctx.killTaskIfInterrupted();
        }
      }
    } catch (RuntimeException e) {
      reply.abort(e);
      throw e;
    } catch (InterruptedException e) {
      reply.abort(e);
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted at a barrier", e);
    } catch (Exception e) {
      reply.abort(e);
      throw new IllegalStateException("barrier " + epoch + " of stage " + ctx.stageId() + " failed", e);
    }
  }
}
