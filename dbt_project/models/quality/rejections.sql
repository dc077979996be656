with

rejected_rows as (

    select * from {{ source('ingest', 'rejected_rows') }}

),

final as (

    -- Counts only: the rejected rows' raw values stay in the private build database.
    select
        unit_code,
        file,
        rule,
        count(*) as rows_rejected,
        -- min, not any_value: the same message whichever engine or thread order builds it.
        min(message) as message
    from rejected_rows
    group by unit_code, file, rule

)

select * from final
