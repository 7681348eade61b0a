package io.finsent.ingest.service;

import java.util.ArrayList;
import java.util.List;

import io.finsent.ingest.FieldError;

/**
 * The 400 answer to a batch with invalid items, a few kilobytes whatever the batch: the invalid items in order with
 * their errors (each item's already at most {@value io.finsent.ingest.FieldErrors#PER_FIELD} per field), at most
 * {@value #MAX_LISTED_ERRORS} errors in all; the message counts the invalid items and the errors not listed. A sender
 * fixes what is listed and sends again; a thousand copies of one mistake need not be listed a thousand times.
 */
final class BatchRefusal {

    static final int MAX_LISTED_ERRORS = 20;

    private final List<ItemsResource.InvalidItem> listed = new ArrayList<>();
    private int invalidItems;
    private int listedErrors;
    private long unlistedErrors;

    void add(int index, List<FieldError> errors) {
        invalidItems++;
        int room = MAX_LISTED_ERRORS - listedErrors;
        if (room <= 0) {
            unlistedErrors += errors.size();
            return;
        }
        List<FieldError> shown = errors.size() <= room ? errors : errors.subList(0, room);
        listed.add(new ItemsResource.InvalidItem(index, List.copyOf(shown)));
        listedErrors += shown.size();
        unlistedErrors += errors.size() - shown.size();
    }

    void addAll(List<ItemsResource.InvalidItem> items) {
        items.forEach(i -> add(i.index(), i.errors()));
    }

    boolean isEmpty() {
        return invalidItems == 0;
    }

    ItemsResource.Refused answer(int batchSize) {
        String message = invalidItems + " of " + batchSize + " items are invalid; nothing was published";
        if (unlistedErrors > 0) {
            message += "; the first " + listedErrors + " errors are listed, " + unlistedErrors + " more are not";
        }
        return new ItemsResource.Refused(message, List.copyOf(listed));
    }
}
